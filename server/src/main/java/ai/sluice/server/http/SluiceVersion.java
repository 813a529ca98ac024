package ai.sluice.server.http;

/** The version this server reports ({@code /version}): the jar's, or "dev" when run from classes. */
final class SluiceVersion {
    private SluiceVersion() {
    }

    static String get() {
        String v = SluiceVersion.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }
}
