package ai.sluice.server.clients;

import ai.sluice.server.HttpTestClient;
import ai.sluice.server.ServerConfig;
import ai.sluice.server.SluiceServer;
import ai.sluice.server.TestServers;
import ai.sluice.server.serving.ServedModel;
import ai.sluice.server.http.AccessLog;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The official {@code openai} npm package against a running server. The package is installed into
 * target/npm on first use; without node and npm on the PATH the test is skipped with a message.
 */
class NodeOpenAiClientTest {
    /** The newest major line that still runs on Node 20 (7.x needs Node 22). */
    private static final String OPENAI_NPM = "openai@6.49.0";
    private static final Path NPM_DIR = Path.of("target", "npm").toAbsolutePath();

    @Test
    void officialNodeClientCompletesChatsStreamsAndSeesErrors() throws Exception {
        Assumptions.assumeTrue(onPath("node") && onPath("npm"),
                "node/npm not installed: skipping the openai npm client test");
        installClient();
        Path script = NPM_DIR.resolve("openai-client.mjs");
        Files.copy(Path.of("src", "test", "node", "openai-client.mjs"), script, StandardCopyOption.REPLACE_EXISTING);

        ServedModel servedModel = TestServers.servedModel();
        ServerConfig config = TestServers.config(servedModel).withApiKeys(List.of("sk-node"));
        SluiceServer server = SluiceServer.start(config, servedModel, new AccessLog(line -> { }));
        try {
            ProcessBuilder pb = new ProcessBuilder("node", script.toString()).redirectErrorStream(false);
            pb.environment().put("SLUICE_URL", "http://127.0.0.1:" + server.port() + "/v1");
            pb.environment().put("SLUICE_KEY", "sk-node");
            Process p = pb.start();
            String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(stderr).isZero();
            JsonNode r = HttpTestClient.JSON.readTree(stdout);
            assertThat(r.get("completionText").asText()).isNotEmpty();
            assertThat(r.get("completionFinish").asText()).isIn("length", "stop");
            assertThat(r.get("completionTokens").asInt()).isBetween(1, 12);
            assertThat(r.get("chatRole").asText()).isEqualTo("assistant");
            assertThat(r.get("streamText").asText()).isEqualTo(r.get("chatText").asText());
            assertThat(r.get("streamFinish").asText()).isIn("length", "stop");
            assertThat(r.get("streamUsage").asInt()).isPositive();
            assertThat(r.get("errorStatus").asInt()).isEqualTo(400);
            assertThat(r.get("errorParam").asText()).isEqualTo("top_p");
            assertThat(r.get("errorIsBadRequest").asBoolean()).isTrue();
            assertThat(r.get("models").get(0).asText()).isEqualTo("stories");
        } finally {
            server.stop();
            servedModel.close();
        }
    }

    private static void installClient() throws IOException, InterruptedException {
        if (Files.isRegularFile(NPM_DIR.resolve("node_modules/openai/package.json"))) {
            return;
        }
        Files.createDirectories(NPM_DIR);
        Process p = new ProcessBuilder("npm", "install", "--prefix", NPM_DIR.toString(), "--no-audit", "--no-fund",
                "--loglevel=error", OPENAI_NPM).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("npm install " + OPENAI_NPM + ": " + log).isZero();
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
