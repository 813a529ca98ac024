package ai.sluice.gateway;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class DiscoveryTest {

    @Test
    void namesBecomeOneReplicaPerIpv4AddressAndLiteralsStayAsTheyAre() {
        AtomicReference<List<InetAddress>> answer = new AtomicReference<>(List.of(
                InetAddress.ofLiteral("10.0.0.7"), InetAddress.ofLiteral("::1"), InetAddress.ofLiteral("10.0.0.8")));
        Discovery d = new Discovery(List.of(URI.create("http://sluice.ns.svc:8000"), URI.create("http://192.168.1.5:9000"),
                URI.create("http://localhost:8001")), host -> answer.get());
        assertThat(d.resolve()).containsExactly(URI.create("http://10.0.0.7:8000"), URI.create("http://10.0.0.8:8000"),
                URI.create("http://192.168.1.5:9000"), URI.create("http://localhost:8001"));
        answer.set(List.of(InetAddress.ofLiteral("::1")));
        assertThat(d.resolve()).first().isEqualTo(URI.create("http://[0:0:0:0:0:0:0:1]:8000")); // no IPv4: IPv6
    }

    @Test
    void aNameThatStopsResolvingKeepsItsLastAddresses() {
        AtomicReference<Boolean> up = new AtomicReference<>(true);
        Discovery d = new Discovery(List.of(URI.create("http://replicas:8000")), host -> {
            if (!up.get()) {
                throw new UnknownHostException(host);
            }
            return List.of(InetAddress.ofLiteral("10.1.2.3"));
        });
        assertThat(d.resolve()).containsExactly(URI.create("http://10.1.2.3:8000"));
        up.set(false);
        assertThat(d.resolve()).containsExactly(URI.create("http://10.1.2.3:8000"));
        Discovery never = new Discovery(List.of(URI.create("http://nowhere:8000")), host -> {
            throw new UnknownHostException(host);
        });
        assertThat(never.resolve()).containsExactly(URI.create("http://nowhere:8000"));
    }
}
