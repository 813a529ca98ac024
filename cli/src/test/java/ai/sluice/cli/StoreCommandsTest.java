package ai.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sluice.store.HubServer;
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
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pull, push, models, models rm and serve --model SOURCE end to end, against a local server laid out
 * like the Hugging Face hub. (S3 itself, mirrors, resume and eviction are tested in the store module
 * against real s3proxy servers; s3proxy's ~200 jars stay off this module's class path, which the
 * serve processes started here inherit and ServePlanTest weighs.)
 */
class StoreCommandsTest {
    private static HubServer hub;
    private static byte[] stories;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startHub() throws IOException {
        stories = Files.readAllBytes(ServeProcess.stories260K());
        hub = new HubServer();
        hub.add("acme/tiny/stories.gguf", stories);
    }

    @AfterAll
    static void stopHub() {
        hub.close();
    }

    @Test
    void pushesTwoCopiesPullsListsAndRemoves() throws IOException {
        String cache = tmp.resolve("cache").toString();
        Path model = ServeProcess.stories260K();
        Files.createDirectories(tmp.resolve("a"));
        CliRun push = CliRun.of("push", model.toString(), tmp.resolve("a").toString(), tmp.resolve("b/copy.gguf").toString());
        assertThat(push.exitCode()).as(push.err()).isZero();
        assertThat(push.out().lines()).hasSize(2).allMatch(l -> l.startsWith("ok     "));
        assertThat(Files.readAllBytes(tmp.resolve("b/copy.gguf"))).isEqualTo(stories);
        assertThat(Files.readString(tmp.resolve("a/stories260K.gguf.manifest.json")))
                .contains("\"sha256\" : \"" + HubServer.sha256(stories) + "\"")
                .contains("\"size\" : " + stories.length).contains("\"architecture\" : \"llama\"");

        // the first source is missing: the pull goes on from the mirror
        CliRun pull = CliRun.of("pull", "hf://acme/gone/stories.gguf", "--mirror", "hf://acme/tiny/stories.gguf", "--name", "stories",
                "--cache-dir", cache, "--hf-endpoint", hub.base().toString());
        assertThat(pull.exitCode()).as(pull.err()).isZero();
        assertThat(pull.out()).startsWith("stories: pulled, 1.1 MiB, sha256 " + HubServer.sha256(stories))
                .contains("(verified by X-Linked-Etag)");
        assertThat(pull.err()).contains("mirror hf://acme/gone/stories.gguf failed").contains("pulling stories (1.1 MiB)");

        CliRun again = CliRun.of("pull", "hf://acme/tiny/stories.gguf", "--name", "stories", "--cache-dir", cache,
                "--hf-endpoint", hub.base().toString());
        assertThat(again.out()).startsWith("stories: already cached");

        CliRun list = CliRun.of("models", "--cache-dir", cache);
        assertThat(list.out()).contains("1 model(s)")
                .containsPattern("stories\\s+1\\.1 MiB\\s+" + HubServer.sha256(stories).substring(0, 16) + "\\s+.*\\s+no\\s+hf://acme/gone/");
        // any command takes the cached name as its model
        CliRun gen = CliRun.of("generate", "--model", "stories", "--cache-dir", cache, "--max-tokens", "4", "--temperature", "0",
                "--threads", "1", "--json");
        assertThat(gen.exitCode()).as(gen.err()).isZero();
        assertThat(gen.out()).contains("\"tokens\"");

        assertThat(CliRun.of("models", "rm", "stories", "--cache-dir", cache).out()).isEqualTo("removed stories\n");
        CliRun gone = CliRun.of("models", "rm", "stories", "--cache-dir", cache);
        assertThat(gone.exitCode()).isEqualTo(1);
        assertThat(gone.err()).isEqualTo("sluice: error: no model named 'stories' in " + cache + " (see 'sluice models')\n");
    }

    @Test
    void badInputIsOneLineThatSaysWhatToDo() throws IOException {
        String cache = tmp.resolve("cache").toString();
        String hubUrl = hub.base().toString();
        Path notModel = Files.writeString(tmp.resolve("notes.gguf"), "just some notes");
        Map<List<String>, String> cases = Map.ofEntries(
                Map.entry(List.of("pull", "ftp://host/m.gguf", "--cache-dir", cache), "unknown scheme 'ftp'"),
                Map.entry(List.of("pull", "hf://acme/tiny/missing.gguf", "--cache-dir", cache, "--hf-endpoint", hubUrl), "hf://acme/tiny/missing.gguf not found (HTTP 404"),
                Map.entry(List.of("pull", notModel.toString(), "--cache-dir", cache), "is not a GGUF model (it starts with 'just'"),
                Map.entry(List.of("push", notModel.toString(), tmp.resolve("out").toString()), "is not a GGUF model"),
                Map.entry(List.of("generate", "--model", tmp.resolve("nope.gguf").toString()), "no such file"),
                Map.entry(List.of("generate", "--model", "never-pulled", "--cache-dir", cache), "no model named 'never-pulled' in the cache"),
                Map.entry(List.of("pull", "http://127.0.0.1:1/m.gguf", "--cache-dir", cache), "cannot reach 127.0.0.1:1"),
                Map.entry(List.of("pull", "hf://acme/tiny/stories.gguf", "--cache-dir", cache, "--hf-endpoint", hubUrl, "--cache-capacity", "1M"), "'stories' is 1.1 MiB but the cache tier holds at most 1.0 MiB"),
                Map.entry(List.of("pull", "hf://acme/tiny/stories.gguf", "--cache-dir", cache, "--cache-capacity", "lots"), "--cache-capacity must be a size"),
                Map.entry(List.of("push", ServeProcess.stories260K().toString(), tmp.resolve("out").toString(), "--upload-part-size", "1M"),
                        "the upload part size must be in 5.0 MiB..5.0 GiB"));
        for (var c : cases.entrySet()) {
            CliRun r = CliRun.of(c.getKey().toArray(String[]::new));
            assertThat(r.exitCode()).as(c.getKey() + ": " + r.err()).isEqualTo(1);
            assertThat(r.err().lines().filter(l -> !l.startsWith("sluice: ") || l.startsWith("sluice: error: ")))
                    .as(c.getKey().toString()).singleElement().satisfies(l -> assertThat(l)
                    .startsWith("sluice: error: ").contains(c.getValue()));
        }
        assertThat(Files.list(tmp.resolve("cache").resolve("partial")).toList()).isEmpty();
        assertThat(Files.list(tmp.resolve("cache").resolve("models")).toList()).isEmpty();
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    @Test
    void servePullsOnStartPinsTheModelAndStartsWarmFromTheCache() throws Exception {
        Path cache = tmp.resolve("cache");
        long sent = hub.bytesSent.get();
        try (Served cold = Served.start(tmp.resolve("cold.log"), "hf://acme/tiny/stories.gguf", cache)) {
            assertThat(cold.log()).contains("sluice: pulling stories (1.1 MiB) from hf://acme/tiny/stories.gguf")
                    .contains("sluice: verified sha256 " + HubServer.sha256(stories) + " (X-Linked-Etag)");
            CliRun list = CliRun.of("models", "--cache-dir", cache.toString(), "--json");
            assertThat(list.out()).contains("\"name\" : \"stories\"").contains("\"pinned\" : true");
            CliRun rm = CliRun.of("models", "rm", "stories", "--cache-dir", cache.toString());
            assertThat(rm.err()).contains("in use by a running process (pinned)");
        }
        assertThat(hub.bytesSent.get() - sent).isEqualTo(stories.length + 4); // + the GGUF magic check
        try (Served warm = Served.start(tmp.resolve("warm.log"), "hf://acme/tiny/stories.gguf", cache)) {
            assertThat(warm.log()).doesNotContain("pulling").contains("serving stories.gguf as 'stories'");
        }
        assertThat(hub.bytesSent.get() - sent).isEqualTo(stories.length + 4); // the warm start read no model bytes
        assertThat(CliRun.of("models", "--cache-dir", cache.toString(), "--json").out()).contains("\"pinned\" : false");
    }

    /** {@code sluice serve --model SOURCE} in a child process, until /ready answers. */
    private record Served(Process process, Path logFile) implements AutoCloseable {
        static Served start(Path log, String source, Path cache) throws Exception {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                    "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                    "serve", "--model", source, "--hf-endpoint", hub.base().toString(), "--cache-dir", cache.toString(),
                    "--port", Integer.toString(port), "--no-warmup", "--threads", "1"));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Served served = new Served(p, log);
            HttpClient http = HttpClient.newHttpClient();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                if (!p.isAlive()) {
                    throw new AssertionError("serve exited with " + p.exitValue() + ":\n" + served.log());
                }
                try {
                    if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return served;
                    }
                } catch (IOException notYet) {
                    // still starting
                }
                Thread.sleep(50);
            }
            served.close();
            throw new AssertionError("serve not ready in 60 s:\n" + served.log());
        }

        String log() throws IOException {
            return Files.readString(logFile);
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor();
        }
    }
}
