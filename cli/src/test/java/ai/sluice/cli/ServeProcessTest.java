package ai.sluice.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code sluice serve} as a real process: SIGTERM drains in-flight work and exits 0. */
class ServeProcessTest {

    @Test
    void sigtermRefusesNewWorkFinishesInFlightStreamsAndExitsZero(@TempDir Path dir) throws Exception {
        ServeProcess process = ServeProcess.start(dir, "--kv-cache-memory", "64000000", "--max-num-seqs", "1",
                "--drain-timeout", "60");
        Process serve = process.process();
        Path log = process.log();
        HttpClient http = HttpClient.newHttpClient();
        URI base = process.base();
        try {
            HttpRequest stream = HttpRequest.newBuilder(base.resolve("/v1/completions"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"Once upon a time\",\"max_tokens\":800,"
                            + "\"n\":3,\"ignore_eos\":true,\"stream\":true}")).build();
            HttpResponse<java.io.InputStream> response = http.send(stream, HttpResponse.BodyHandlers.ofInputStream());
            BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
            String first = in.readLine();
            while (first != null && !first.startsWith("data: ")) {
                first = in.readLine(); // ": ping" comments while the prompt is prefilled on a busy machine
            }
            assertThat(first).startsWith("data: {");
            CompletableFuture<List<String>> rest = CompletableFuture.supplyAsync(() -> readAll(in));

            serve.destroy(); // SIGTERM
            awaitStatus(http, base.resolve("/ready"), 503);
            HttpResponse<String> refused = http.send(HttpRequest.newBuilder(base.resolve("/v1/completions"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"x\",\"max_tokens\":1}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.body()).contains("\"code\":\"draining\"");

            List<String> lines = rest.get(120, TimeUnit.SECONDS);
            assertThat(lines.getLast()).isEqualTo("data: [DONE]");
            assertThat(lines.stream().filter(l -> l.contains("\"finish_reason\":\"length\"")).count()).isEqualTo(3);
            assertThat(serve.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(serve.exitValue()).as(Files.readString(log)).isZero();
            assertThat(Files.readString(log)).contains("sluice: drained, exiting");
        } finally {
            serve.destroyForcibly();
        }
    }

    @Test
    void ctrlCDrainsEvenWhenInheritedIgnoredAndASecondOneStopsAtOnce(@TempDir Path dir) throws Exception {
        ServeProcess process = ServeProcess.startWithSigintIgnored(dir, "--no-warmup", "--drain-timeout", "120",
                "--max-num-seqs", "1");
        HttpClient http = HttpClient.newHttpClient();
        try (process) {
            HttpResponse<java.io.InputStream> stream = http.send(HttpRequest.newBuilder(process.base().resolve("/v1/completions"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"Once\",\"max_tokens\":2000,"
                            + "\"n\":4,\"ignore_eos\":true,\"stream\":true}")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(stream.statusCode()).isEqualTo(200);
            process.signal("INT");
            awaitStatus(http, process.base().resolve("/ready"), 503); // draining: the ignored SIGINT was reset
            process.signal("INT");
            assertThat(process.process().waitFor(20, TimeUnit.SECONDS)).as("a second Ctrl-C stops at once").isTrue();
            assertThat(process.process().exitValue()).isEqualTo(130);
            assertThat(process.logText()).contains("sluice: draining").contains("stopping now");
        }
    }

    @Test
    void aHungEngineTakesTheProcessOutOfRotationAndNewWorkGetsAFast503(@TempDir Path dir) throws Exception {
        String key = "sk-from-a-file-42";
        Path keys = Files.writeString(dir.resolve("keys"), "# serving keys\n" + key + "\n");
        ServeProcess process = ServeProcess.start(dir, "--no-warmup", "--enable-fault-injection",
                "--health-stale-after", "1", "--api-key-file", keys.toString());
        HttpClient http = HttpClient.newHttpClient();
        URI base = process.base();
        try (process) {
            assertThat(process.process().info().commandLine().orElse("")).doesNotContain(key);
            HttpResponse<String> anonymous = http.send(completion(base, null), HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("www-authenticate")).hasValue("Bearer");

            HttpResponse<String> frozen = http.send(HttpRequest.newBuilder(base.resolve("/debug/freeze-engine"))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"seconds\":4}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(frozen.statusCode()).as(frozen.body()).isEqualTo(200);
            awaitStatus(http, base.resolve("/ready"), 503);
            HttpResponse<String> refused = http.send(completion(base, key), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.body()).contains("\"code\":\"engine_unavailable\"");
            assertThat(refused.headers().firstValue("retry-after")).hasValue("1");

            awaitStatus(http, base.resolve("/ready"), 200);
            HttpResponse<String> served = http.send(completion(base, key), HttpResponse.BodyHandlers.ofString());
            assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
        }
    }

    @Test
    void logsAreOneLinePerRecordAsTextAndAsJson(@TempDir Path dir) throws Exception {
        Path textRun = Files.createDirectories(dir.resolve("text-run"));
        try (ServeProcess text = ServeProcess.start(textRun, "--no-warmup")) {
            HttpClient.newHttpClient().send(completion(text.base(), null), HttpResponse.BodyHandlers.ofString());
            List<String> lines = jvmLinesDropped(Files.readAllLines(text.log()));
            assertThat(lines).as("Helidon's records are there too").anyMatch(l -> l.contains("[io.helidon"));
            assertThat(lines).allSatisfy(l -> assertThat(l).as("a log line or an access-log record").matches("(sluice: |\\{).*"));
        }
        Path json = dir.resolve("json-run");
        Files.createDirectories(json);
        try (ServeProcess serve = ServeProcess.start(json, "--no-warmup", "--log-format", "json")) {
            HttpClient.newHttpClient().send(completion(serve.base(), null), HttpResponse.BodyHandlers.ofString());
            List<String> lines = jvmLinesDropped(Files.readAllLines(serve.log()));
            com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
            int logRecords = 0;
            for (String line : lines) {
                com.fasterxml.jackson.databind.JsonNode node = mapper.readTree(line); // every line is JSON
                if (node.has("level")) {
                    logRecords++;
                    assertThat(node.get("message").isTextual()).isTrue();
                }
            }
            assertThat(logRecords).isGreaterThanOrEqualTo(3);
            assertThat(String.join("\n", lines)).contains("\"message\":\"serving stories260K.gguf");
        }
    }

    @Test
    void aChatTemplateFileAndServerWideGenerationDefaultsApply(@TempDir Path dir) throws Exception {
        Path template = Files.writeString(dir.resolve("t.jinja"),
                "{% for m in messages %}<{{ m.role }}>{{ m.content }}{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}");
        HttpClient http = HttpClient.newHttpClient();
        try (ServeProcess serve = ServeProcess.start(dir, "--no-warmup", "--chat-template", template.toString(),
                "--override-generation-config", "{\"max_tokens\":3,\"temperature\":0}")) {
            String viaTemplate = post(http, serve.base(), "/tokenize",
                    "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
            String direct = post(http, serve.base(), "/tokenize", "{\"prompt\":\"<user>Hi<assistant>\",\"add_special_tokens\":false}");
            assertThat(tokens(viaTemplate)).isEqualTo(tokens(direct));
            String completion = post(http, serve.base(), "/v1/completions", "{\"prompt\":\"Once upon a time\"}");
            assertThat(completion).contains("\"completion_tokens\":3");
            String again = post(http, serve.base(), "/v1/completions", "{\"prompt\":\"Once upon a time\"}");
            assertThat(text(again)).as("temperature 0 by default: greedy, the same text").isEqualTo(text(completion));
            String asked = post(http, serve.base(), "/v1/completions", "{\"prompt\":\"Once upon a time\",\"max_tokens\":5}");
            assertThat(asked).as("the request's own value wins").contains("\"completion_tokens\":5");
        }
    }

    private static String post(HttpClient http, URI base, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    private static String tokens(String tokenizeReply) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(tokenizeReply).get("tokens").toString();
    }

    private static String text(String completionReply) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(completionReply).at("/choices/0/text").asText();
    }

    /** The JVM's own incubator-module warning, which the ./sluice launcher filters out as well. */
    private static List<String> jvmLinesDropped(List<String> lines) {
        return lines.stream().filter(l -> !l.startsWith("WARNING: Using incubator modules")).toList();
    }

    private static HttpRequest completion(URI base, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve("/v1/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"Once\",\"max_tokens\":2}"));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return b.build();
    }

    private static List<String> readAll(BufferedReader in) {
        List<String> lines = new ArrayList<>();
        try {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.isEmpty()) {
                    lines.add(line);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("the stream broke during the drain", e);
        }
        return lines;
    }

    private static void awaitStatus(HttpClient http, URI uri, int status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).statusCode() != status) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(uri + " never answered " + status);
            }
            Thread.sleep(20);
        }
    }
}
