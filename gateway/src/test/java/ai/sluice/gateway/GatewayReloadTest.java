package ai.sluice.gateway;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Editing gateway.yaml while serving: new requests follow the new file, requests in flight are not dropped. */
class GatewayReloadTest {
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    private static String yaml(URI replica) {
        return "host: 127.0.0.1\nport: 0\nreplicas: [" + replica + "]\nhealth_interval_ms: 100\n";
    }

    @Test
    void aChangedFileTakesEffectWithoutDroppingRequestsInFlight(@TempDir Path dir) throws Exception {
        FakeReplica slow = new FakeReplica("m", (ex, body) -> {
            OutputStream out = FakeReplica.startStream(ex);
            for (int i = 0; i < 4; i++) {
                FakeReplica.event(out, FakeReplica.chunk("cmpl-slow", "s" + i));
                Thread.sleep(250);
            }
            FakeReplica.event(out, "[DONE]");
        });
        open.add(slow);
        FakeReplica next = new FakeReplica("m", (ex, body) -> FakeReplica.send(ex, 200, "{\"ok\":true}"));
        open.add(next);
        Path file = Files.writeString(dir.resolve("gateway.yaml"), yaml(slow.base()));
        List<String> reports = new CopyOnWriteArrayList<>();
        Gateway g = Gateway.start(GatewayConfigFile.load(file), new AccessLog(line -> { }));
        open.add(g);
        g.watch(file, Duration.ofMillis(50), GatewayConfigFile::load, reports::add);
        URI base = URI.create("http://127.0.0.1:" + g.port());
        await(() -> g.replicas().getFirst().routable(System.nanoTime()));

        CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(HttpRequest.newBuilder(base.resolve("/v1/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"x\",\"stream\":true}")).build(),
                HttpResponse.BodyHandlers.ofString());
        await(() -> slow.generations.get() == 1); // the stream is under way on the old replica
        Files.writeString(file, yaml(next.base()) + "hold_timeout_ms: 3000\n");
        await(() -> reports.stream().anyMatch(r -> r.contains("reloaded")));
        assertThat(g.config().holdTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(g.replicas()).extracting(Replica::base).containsExactly(next.base());

        HttpResponse<String> streamed = inFlight.get(10, TimeUnit.SECONDS);
        assertThat(streamed.body()).contains("s0").contains("s3").endsWith("data: [DONE]\n\n").doesNotContain("error");

        HttpResponse<String> after = client.send(HttpRequest.newBuilder(base.resolve("/v1/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"x\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(after.headers().firstValue("x-sluice-replica")).contains(next.base().getRawAuthority());

        // a broken edit is reported and changes nothing
        Files.writeString(file, yaml(next.base()) + "hold_timeout_ms: soon\n");
        // the watcher may also catch the file half-written (empty: "must be a mapping"), reported the same way;
        // the edit's own error follows once the write is complete
        await(() -> reports.stream().anyMatch(r -> r.contains("not reloaded") && r.contains("hold_timeout_ms")));
        assertThat(reports).anySatisfy(r -> assertThat(r).contains("hold_timeout_ms: must be a whole number"));
        assertThat(g.config().holdTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(client.send(HttpRequest.newBuilder(base.resolve("/v1/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"x\"}")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 5 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
