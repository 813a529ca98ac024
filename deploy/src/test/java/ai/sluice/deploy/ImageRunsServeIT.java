package ai.sluice.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The image Jib built (target/sluice-image.tar) run for real: loaded into Podman, {@code serve} started on
 * stories260K mounted read-only, a completion fetched over loopback, then stopped with SIGTERM, which must
 * drain and exit 0; on the way, the gateway from the same image proxies a completion to it. The containers
 * run as the image's non-root user with a read-only root file system, no capabilities and no /tmp mount, as
 * the Kubernetes manifests run them.
 */
class ImageRunsServeIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void servesACompletionFromTheImageAndDrainsOnStop() throws Exception {
        Podman podman = Podman.in(RequiredTool.find("podman", "apt-get install -y podman runc"), Path.of("target", "podman").toAbsolutePath());
        Path tar = Path.of(System.getProperty("sluice.image.tar", "target/sluice-image.tar"));
        assertThat(tar).as("the image tar jib:buildTar writes").exists();
        Path model = Path.of(System.getProperty("sluice.shared", "../shared"), "models", "stories260K.gguf")
                .toAbsolutePath().normalize();
        assertThat(model).exists();

        podman.run(120, "load", "-q", "-i", tar.toString()).orFail("load");
        // by id, not by tag: two builds of different content in parallel checkouts share the tag
        String imageId = Files.readString(tar.resolveSibling("jib-image.id")).strip();
        assertThat(podman.run(30, "image", "inspect", "--format", "{{.Config.User}}", imageId).orFail("inspect").output())
                .as("the image's user").isEqualToIgnoringWhitespace("65532:65532");

        int port = freePort();
        String name = "sluice-it-" + ProcessHandle.current().pid() + "-" + port;
        podman.run(60, "run", "-d", "--name", name, "--network", "host",
                "--read-only", "--cap-drop=ALL", "--security-opt", "no-new-privileges",
                "-v", model + ":/models/stories260K.gguf:ro",
                imageId, "serve", "--model", "/models/stories260K.gguf", "--host", "127.0.0.1",
                "--port", Integer.toString(port), "--drain-timeout", "5").orFail("run");
        try {
            URI base = URI.create("http://127.0.0.1:" + port);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            awaitReady(podman, name, http, base);
            assertThat(podman.run(30, "top", name, "user", "comm").orFail("top").output())
                    .as("the server process runs as the image's user").contains("sluice").doesNotContain("root");

            HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve("/v1/completions"))
                    .header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"prompt\":\"Once upon a time\",\"max_tokens\":8,\"temperature\":0}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode body = JSON.readTree(response.body());
            assertThat(body.at("/choices/0/text").asText()).isNotBlank();
            assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(8);
            assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("length");

            // the gateway from the same image in front of it, as deploy/kubernetes runs it
            int gatewayPort = freePort();
            String gatewayName = name + "-gateway";
            podman.run(60, "run", "-d", "--name", gatewayName, "--network", "host", "--read-only", "--cap-drop=ALL",
                    imageId, "gateway", "--host", "127.0.0.1", "--port", Integer.toString(gatewayPort),
                    "--replica", base.toString()).orFail("run gateway");
            try {
                URI gateway = URI.create("http://127.0.0.1:" + gatewayPort);
                awaitStatus200(podman, gatewayName, http, gateway.resolve("/health"));
                HttpResponse<String> proxied = http.send(HttpRequest.newBuilder(gateway.resolve("/v1/completions"))
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"prompt\":\"Once upon a time\",\"max_tokens\":8,\"temperature\":0}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (proxied.statusCode() != 200) { // say why: the gateway's and the replica's own lines
                    fail("through the gateway: " + proxied.statusCode() + " " + proxied.body() + "\ngateway log:\n"
                            + podman.run(30, "logs", gatewayName).output() + "\nreplica log:\n"
                            + podman.run(30, "logs", name).output());
                }
                assertThat(JSON.readTree(proxied.body()).at("/choices/0/text").asText())
                        .as("greedy: the same text through the gateway").isEqualTo(body.at("/choices/0/text").asText());
                String metrics = http.send(HttpRequest.newBuilder(gateway.resolve("/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(metrics).as("the gauge KEDA's activation trigger reads").contains("sluice_gateway_held_requests");
            } finally {
                podman.run(60, "rm", "-f", gatewayName);
            }

            long stopStarted = System.nanoTime();
            podman.run(60, "stop", "-t", "20", name).orFail("stop");
            Duration stopping = Duration.ofNanos(System.nanoTime() - stopStarted);
            String logs = podman.run(30, "logs", name).output();
            String exitCode = podman.run(30, "inspect", "--format", "{{.State.ExitCode}}", name).orFail("inspect").output();
            assertThat(exitCode).as("exit code after SIGTERM; logs:\n" + logs).isEqualToIgnoringWhitespace("0");
            assertThat(logs).contains("sluice: drained, exiting");
            assertThat(stopping).as("SIGTERM ended it, not the kill after -t 20").isLessThan(Duration.ofSeconds(15));
        } finally {
            podman.run(60, "rm", "-f", name);
            // without -f: refused while another checkout's container uses the same (content-addressed) image
            podman.run(60, "rmi", imageId);
        }
    }

    /** deploy/image/Dockerfile (for people with Docker) builds from the same Maven output and runs the model. */
    @Test
    void theDockerfileBuildsAnImageThatGenerates() throws Exception {
        Podman podman = Podman.in(RequiredTool.find("podman", "apt-get install -y podman runc"), Path.of("target", "podman").toAbsolutePath());
        Path model = Path.of(System.getProperty("sluice.shared", "../shared"), "models", "stories260K.gguf")
                .toAbsolutePath().normalize();
        String tag = "localhost/sluice-dockerfile-it:" + ProcessHandle.current().pid();
        Path repository = Path.of("..").toAbsolutePath().normalize();
        podman.run(300, "build", "-q", "-f", repository.resolve("deploy/image/Dockerfile").toString(), "-t", tag,
                repository.toString()).orFail("build");
        try {
            Podman.Result generated = podman.run(120, "run", "--rm", "--network", "none", "--read-only", "--cap-drop=ALL",
                    "-v", model + ":/models/stories260K.gguf:ro", tag,
                    "generate", "--model", "/models/stories260K.gguf", "--max-tokens", "8", "--temperature", "0").orFail("run");
            // greedy stories260K from BOS, as the README's generate example shows
            assertThat(generated.output()).contains("Once upon a time, there was a");
            assertThat(podman.run(30, "image", "inspect", "--format", "{{.Config.User}}", tag).orFail("inspect").output())
                    .isEqualToIgnoringWhitespace("65532:65532");
        } finally {
            podman.run(60, "rmi", "-f", tag);
        }
    }

    private static void awaitReady(Podman podman, String name, HttpClient http, URI base) throws Exception {
        awaitStatus200(podman, name, http, base.resolve("/ready"));
    }

    private static void awaitStatus200(Podman podman, String name, HttpClient http, URI url) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                String running = podman.run(30, "inspect", "--format", "{{.State.Running}}", name).output().strip();
                if (!running.equals("true")) {
                    fail("the container stopped before it was ready:\n" + podman.run(30, "logs", name).output());
                }
            }
            Thread.sleep(200);
        }
        fail(url + " in container " + name + " did not answer 200 within 90 s:\n" + podman.run(30, "logs", name).output());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
