package ai.sluice.cli;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code sluice serve} on stories260K as a real child process on a free loopback port. */
record ServeProcess(Process process, URI base, Path log) implements AutoCloseable {

    static Path stories260K() {
        return Path.of(System.getProperty("sluice.shared", "../shared"), "models", "stories260K.gguf").toAbsolutePath();
    }

    /** Starts {@code serve --model stories260K --port P} plus {@code extraArgs}; waits until /ready answers 200. */
    static ServeProcess start(Path dir, String... extraArgs) throws Exception {
        return start(dir, List.of(), stories260K(), extraArgs);
    }

    /** As {@link #start(Path, String...)} with another model file. */
    static ServeProcess startModel(Path dir, Path model, String... extraArgs) throws Exception {
        return start(dir, List.of(), model, extraArgs);
    }

    /**
     * As {@link #start(Path, String...)}, but as a shell script started in the background would: with
     * SIGINT ignored when the JVM starts (the disposition a non-interactive shell gives {@code cmd &}).
     */
    static ServeProcess startWithSigintIgnored(Path dir, String... extraArgs) throws Exception {
        return start(dir, List.of("sh", "-c", "trap '' INT; exec \"$0\" \"$@\""), stories260K(), extraArgs);
    }

    private static ServeProcess start(Path dir, List<String> prefix, Path model, String... extraArgs) throws Exception {
        int port = freePort();
        Path log = dir.resolve("serve.log");
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC", "-Xmn64m", // as the ./sluice launcher runs it
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "serve", "--model", model.toString(), "--port", Integer.toString(port)));
        command.addAll(List.of(extraArgs));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ServeProcess serve = new ServeProcess(process, URI.create("http://127.0.0.1:" + port), log);
        try {
            serve.awaitReady();
        } catch (Exception | Error e) {
            serve.close();
            throw e;
        }
        return serve;
    }

    String logText() throws IOException {
        return Files.readString(log);
    }

    private void awaitReady() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("sluice serve exited with " + process.exitValue() + ":\n" + logText());
            }
            try {
                if (http.send(HttpRequest.newBuilder(base.resolve("/ready")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(100);
        }
        throw new AssertionError("sluice serve was not ready within 120 s:\n" + logText());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Sends {@code signal} (e.g. "INT") to the server process. */
    void signal(String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -" + signal + " failed");
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
