package ai.sluice.server.http;

import ai.sluice.server.ScriptedServer;
import ai.sluice.server.ServerConfig;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Several --host addresses: one listener each, on one port, with the same API. */
class ListenersTest {

    @Test
    void everyAddressServesTheApi() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        // both loopback: all of 127.0.0.0/8 reaches this host
        ServerConfig config = ScriptedServer.config(512, Duration.ofMillis(100)).withPort(port)
                .withHost("127.0.0.1,127.0.0.2");
        try (ScriptedServer running = ScriptedServer.start(config, 512, 1)) {
            HttpClient http = HttpClient.newHttpClient();
            for (String address : new String[] {"127.0.0.1", "127.0.0.2"}) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + address + ":" + port
                                + "/v1/completions")).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"x\",\"max_tokens\":2}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(address).isEqualTo(200);
            }
            assertThat(running.accessLines).as("both went through the gate and the access log").hasSize(2);
        }
    }

    @Test
    void severalAddressesNeedAFixedPortAndNoEmptyEntry() {
        ServerConfig base = ScriptedServer.config(512, Duration.ofMillis(100));
        assertThatThrownBy(() -> base.withHost("127.0.0.1,::1").withPort(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fixed ServerConfig.port");
        assertThatThrownBy(() -> base.withPort(8000).withHost("127.0.0.1,,::1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("comma-separated");
        assertThat(base.withPort(8000).withHost(" 127.0.0.1, ::1 ").hosts()).containsExactly("127.0.0.1", "::1");
    }
}
