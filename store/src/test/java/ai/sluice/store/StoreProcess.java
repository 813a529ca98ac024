package ai.sluice.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A second process for the tests: {@code pull CACHE SOURCE NAME} or {@code pin CACHE NAME}
 * (holds the pin until its stdin closes). Prints one result line.
 */
public final class StoreProcess {
    private StoreProcess() {
    }

    public static void main(String[] args) throws IOException {
        StoreConfig config = StoreConfig.fromEnvironment(System.getenv()).withCacheDir(Path.of(args[1]))
                .withTransfer(64 << 10, 4).withHub(java.net.URI.create(System.getProperty("hub", "http://127.0.0.1:1")));
        try (ModelStore store = new ModelStore(config, Progress.silent())) {
            switch (args[0]) {
                case "pull" -> {
                    ModelStore.Pulled p = store.pull(Source.parse(args[2]), List.of(), args[3], null);
                    System.out.println("pulled downloaded=" + p.downloaded() + " shared=" + p.shared() + " fetched=" + p.fetched()
                            + " sha256=" + p.model().sha256());
                }
                case "pin" -> {
                    try (ModelCache.Pin pin = store.cache().pin(args[2])) {
                        System.out.println("pinned " + pin.name());
                        System.out.flush();
                        while (System.in.read() >= 0) {
                            // hold the pin until the test closes our stdin
                        }
                    }
                }
                default -> throw new IllegalArgumentException(args[0]);
            }
        } catch (StoreException e) {
            System.out.println("error " + e.getMessage());
            System.exit(1);
        }
    }

    /** Starts this class in a new JVM with the test class path and the store's S3 credentials. */
    static Process start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        for (String p : new String[] {"aws.accessKeyId", "aws.secretAccessKey", "aws.region", "hub"}) {
            if (System.getProperty(p) != null) {
                cmd.add("-D" + p + "=" + System.getProperty(p));
            }
        }
        cmd.add("-Xmx128m");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add(StoreProcess.class.getName());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    static String output(Process p) throws Exception {
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child process did not finish");
        }
        return new String(p.getInputStream().readAllBytes()).trim();
    }
}
