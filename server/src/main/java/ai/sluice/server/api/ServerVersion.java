package ai.sluice.server.api;

/**
 * The version this server reports: the jar's, or "dev" when run from classes. {@code /version}
 * answers it, and responses carry it as OpenAI's {@code system_fingerprint} (which names the server
 * configuration that produced an answer, so a client can tell when outputs may change).
 */
public final class ServerVersion {
    private static final String VERSION = read();

    private ServerVersion() {
    }

    public static String get() {
        return VERSION;
    }

    public static String systemFingerprint() {
        return "fp_sluice_" + VERSION;
    }

    private static String read() {
        String v = ServerVersion.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }
}
