package ai.sluice.gateway;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The gateway listening on HTTPS with a PEM certificate and key from gateway.yaml. The key pair is made here, at
 * test time, with the JDK's keytool (never committed).
 */
class GatewayTlsTest {
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    /** A self-signed certificate for 127.0.0.1, as PEM files; returns {certificate, private key, the PKCS#12 store}. */
    private static Path[] selfSigned(Path dir) throws Exception {
        Files.createDirectories(dir);
        Path store = dir.resolve("gateway.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "gw", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("keytool: " + out).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(store.toFile())) {
            ks.load(in, "changeit".toCharArray());
        }
        PrivateKey key = (PrivateKey) ks.getKey("gw", "changeit".toCharArray());
        Certificate cert = ks.getCertificate("gw");
        Path certFile = Files.writeString(dir.resolve("gateway.crt"), pem("CERTIFICATE", cert.getEncoded()));
        Path keyFile = Files.writeString(dir.resolve("gateway.key"), pem("PRIVATE KEY", key.getEncoded()));
        return new Path[] {certFile, keyFile, store};
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** A client that trusts exactly the certificate in {@code store}. */
    private static HttpClient trusting(Path store) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(store.toFile())) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("gw", ks.getCertificate("gw"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Test
    void servesHttpsWithThePemCertificateAndRefusesPlainHttp(@TempDir Path dir) throws Exception {
        Path[] files = selfSigned(dir);
        FakeReplica replica = new FakeReplica("m", (ex, body) -> FakeReplica.send(ex, 200, "{\"ok\":true}"));
        open.add(replica);
        GatewayConfig config = GatewayConfigFile.parse("gateway.yaml", "host: 127.0.0.1\nport: 0\nreplicas: ["
                + replica.base() + "]\nhealth_interval_ms: 100\ntls_certificate_file: " + files[0]
                + "\ntls_private_key_file: " + files[1] + "\n");
        assertThat(config.scheme()).isEqualTo("https");
        assertThat(config.tls().toString()).doesNotContain("PRIVATE").contains("gateway.key");
        Gateway g = Gateway.start(config, new AccessLog(line -> { }));
        open.add(g);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!g.replicas().getFirst().routable(System.nanoTime())) {
            assertThat(System.nanoTime()).as("replica up in time").isLessThan(deadline);
            Thread.sleep(20);
        }

        HttpClient https = trusting(files[2]);
        HttpResponse<String> ok = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + g.port()
                        + "/v1/completions")).POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"x\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("{\"ok\":true}");
        assertThat(ok.sslSession()).isPresent();
        assertThat(ok.sslSession().get().getPeerCertificates()[0].getEncoded())
                .isEqualTo(config.tls().chain().getFirst().getEncoded());

        HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port() + "/health"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);

        // a client that does not trust the certificate is refused in the handshake
        assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
                + g.port() + "/health")).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
    }

    @Test
    void tlsFieldsAreCheckedAtStartWithErrorsNamingTheField(@TempDir Path dir) throws Exception {
        Path[] files = selfSigned(dir);
        String base = "replicas: [http://127.0.0.1:1]\n";
        assertThatThrownBy(() -> GatewayConfigFile.parse("gateway.yaml", base + "tls_certificate_file: " + files[0] + "\n"))
                .hasMessage("gateway.yaml: tls_private_key_file: missing: HTTPS needs both tls_certificate_file and"
                        + " tls_private_key_file (PEM)");
        assertThatThrownBy(() -> GatewayConfigFile.parse("gateway.yaml", base + "tls_certificate_file: "
                + dir.resolve("none.crt") + "\ntls_private_key_file: " + files[1] + "\n"))
                .hasMessage("gateway.yaml: tls_certificate_file: " + dir.resolve("none.crt") + ": no such file");
        // the two files swapped: each names the field whose file is wrong
        assertThatThrownBy(() -> GatewayConfigFile.parse("gateway.yaml", base + "tls_certificate_file: " + files[1]
                + "\ntls_private_key_file: " + files[1] + "\n"))
                .isInstanceOf(GatewayException.class).hasMessageStartingWith("gateway.yaml: tls_certificate_file: ");
        assertThatThrownBy(() -> GatewayConfigFile.parse("gateway.yaml", base + "tls_certificate_file: " + files[0]
                + "\ntls_private_key_file: " + files[0] + "\n"))
                .isInstanceOf(GatewayException.class).hasMessageStartingWith("gateway.yaml: tls_private_key_file: ");
        // a valid key, but another pair's
        Path[] other = selfSigned(dir.resolve("other"));
        assertThatThrownBy(() -> GatewayConfigFile.parse("gateway.yaml", base + "tls_certificate_file: " + files[0]
                + "\ntls_private_key_file: " + other[1] + "\n"))
                .hasMessage("gateway.yaml: tls_private_key_file: " + other[1] + " is not the key of the first certificate"
                        + " in tls_certificate_file (CN=127.0.0.1)");
        assertThatThrownBy(() -> GatewayConfigFile.parse("gateway.yaml", base + "tls_certificate_file: 7\n"
                + "tls_private_key_file: " + files[1] + "\n"))
                .hasMessage("gateway.yaml: tls_certificate_file: must be a non-empty string, got 7");
        assertThat(GatewayConfigFile.parse("gateway.yaml", base).tls()).isNull();
    }
}
