package ai.sluice.server.http;

import ai.sluice.server.Eventually;
import ai.sluice.server.ScriptedModel;
import ai.sluice.server.ServerConfig;
import ai.sluice.server.SluiceServer;
import ai.sluice.server.ScriptedServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clients that misbehave at the socket: one that hangs up on a whole (non-streamed) response while
 * tokens keep coming, and one that stops reading. Both must be cut off and their sequences freed,
 * whatever the engine's pace.
 */
class ClientFaultsTest {
    private static final Duration PING = Duration.ofMillis(100);
    private ScriptedServer running;
    private ScriptedModel servedModel;
    private SluiceServer server;
    private List<String> accessLines;

    /** A long context, so only the client's behaviour can end a long request early. */
    private void start(ServerConfig config, long stepMillis) {
        running = ScriptedServer.start(config, 1_000_000, stepMillis);
        servedModel = running.servedModel;
        server = running.server;
        accessLines = running.accessLines;
    }

    private static ServerConfig config() {
        return ScriptedServer.config(1_000_000, PING).withTimes(Duration.ofSeconds(60), PING, Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() {
        if (running != null) {
            running.close();
        }
    }

    @Test
    void wholeResponseGetsAKeepAliveByteEveryPingWhileTokensFlowAndAHangUpCancelsIt() throws Exception {
        // a token every 5 ms: each one used to count as a write and hold the keep-alive bytes off,
        // so a gone client was never noticed and its request ran to the end
        start(config(), 5);
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            send(s, "{\"prompt\":\"x\",\"max_tokens\":100000}");
            s.setSoTimeout(3000);
            InputStream in = s.getInputStream();
            long until = System.nanoTime() + Duration.ofMillis(1200).toNanos();
            int spaces = 0;
            byte[] buf = new byte[4096];
            while (System.nanoTime() < until) {
                int n = in.read(buf);
                assertThat(n).as("the response stays open").isPositive();
                for (int i = 0; i < n; i++) {
                    spaces += buf[i] == ' ' ? 1 : 0;
                }
            }
            assertThat(spaces).as("about one space per 100 ms ping in 1.2 s").isGreaterThanOrEqualTo(6);
            assertThat(servedModel.activeSequences()).isEqualTo(1);
        }
        Eventually.await("the abandoned request is cancelled", () -> servedModel.activeSequences() == 0);
        Eventually.await("logged as the client's hang-up", () -> accessLines.stream()
                .anyMatch(l -> l.contains("499") && l.contains("client disconnected")));
        assertThat(servedModel.cancelledSequences()).isEqualTo(1);
    }

    @Test
    void aClientThatStopsReadingIsCutOffAfterTheStallTimeout() throws Exception {
        // a queue too large to overflow: only the stall watchdog can end this request
        start(config().withSlowClientLimits(10_000_000, Duration.ofMillis(500)), 1);
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(4096); // before connecting, so the window stays small
            s.connect(new InetSocketAddress("127.0.0.1", server.port()));
            send(s, "{\"prompt\":\"x\",\"max_tokens\":900000,\"stream\":true}");
            // read nothing: the server's socket buffers fill and its writes block
            Eventually.await("the request runs", () -> servedModel.submittedSequences() == 1);
            Eventually.await("the stalled client is cut off", () -> servedModel.activeSequences() == 0);
        }
        assertThat(servedModel.cancelledSequences()).isEqualTo(1);
        Eventually.await("logged as a slow client", () -> accessLines.stream()
                .anyMatch(l -> l.contains("499") && l.contains("stopped reading")));
    }

    private static void send(Socket s, String body) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = s.getOutputStream();
        out.write(("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
    }
}
