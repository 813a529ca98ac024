package ai.sluice.gateway;

import io.helidon.common.configurable.Resource;
import io.helidon.common.pki.Keys;
import io.helidon.common.tls.Tls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The gateway's own certificate, when it listens on HTTPS: read and checked once at start (PEM files), so a wrong
 * path or a file that is not what it should be is refused there, in one line naming the field, not at the first
 * client's handshake.
 *
 * @param certificateFile where {@code chain} came from ({@code tls_certificate_file})
 * @param privateKeyFile  where {@code privateKey} came from ({@code tls_private_key_file})
 */
public record ListenerTls(Path certificateFile, Path privateKeyFile, PrivateKey privateKey,
                          List<X509Certificate> chain) {

    public ListenerTls {
        chain = List.copyOf(chain);
    }

    /** Reads both PEM files; {@code name} (the config file's) prefixes every error. */
    public static ListenerTls read(String name, Path certificateFile, Path privateKeyFile) {
        List<X509Certificate> chain;
        try {
            readable(name, "tls_certificate_file", certificateFile);
            chain = Keys.builder().pem(p -> p.certChain(Resource.create(certificateFile))).build().certChain();
        } catch (RuntimeException e) {
            throw e instanceof GatewayException g ? g : unreadable(name, "tls_certificate_file", certificateFile,
                    "a PEM certificate chain (-----BEGIN CERTIFICATE-----)", e);
        }
        if (chain.isEmpty()) {
            throw new GatewayException(name + ": tls_certificate_file: " + certificateFile
                    + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        PrivateKey key;
        try {
            readable(name, "tls_private_key_file", privateKeyFile);
            key = Keys.builder().pem(p -> p.key(Resource.create(privateKeyFile))).build().privateKey().orElse(null);
        } catch (RuntimeException e) {
            throw e instanceof GatewayException g ? g : unreadable(name, "tls_private_key_file", privateKeyFile,
                    "an unencrypted PEM private key (PKCS#8 or PKCS#1)", e);
        }
        if (key == null) {
            throw new GatewayException(name + ": tls_private_key_file: " + privateKeyFile
                    + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
        }
        if (!pair(key, chain.getFirst().getPublicKey())) {
            throw new GatewayException(name + ": tls_private_key_file: " + privateKeyFile + " is not the key of the"
                    + " first certificate in tls_certificate_file (" + chain.getFirst().getSubjectX500Principal() + ")");
        }
        return new ListenerTls(certificateFile, privateKeyFile, key, chain);
    }

    /** Helidon's listener TLS with this key and chain (no client certificates asked for). */
    Tls toHelidon() {
        return Tls.builder().privateKey(privateKey).privateKeyCertChain(chain).build();
    }

    /** Whether {@code key} signs what {@code certified} verifies: the key belongs to the certificate. */
    private static boolean pair(PrivateKey key, PublicKey certified) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> null;
        };
        if (algorithm == null) {
            return key.getAlgorithm().equals(certified.getAlgorithm()); // nothing better to check it with
        }
        try {
            byte[] probe = "sluice gateway key check".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            Signature sign = Signature.getInstance(algorithm);
            sign.initSign(key);
            sign.update(probe);
            byte[] signature = sign.sign();
            Signature verify = Signature.getInstance(algorithm);
            verify.initVerify(certified);
            verify.update(probe);
            return verify.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // e.g. an EC key for an RSA certificate
        }
    }

    private static void readable(String name, String field, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new GatewayException(name + ": " + field + ": " + file + ": no such file");
        }
        if (!Files.isReadable(file)) {
            throw new GatewayException(name + ": " + field + ": " + file + ": cannot read it (permissions)");
        }
    }

    private static GatewayException unreadable(String name, String field, Path file, String expected, Exception e) {
        return new GatewayException(name + ": " + field + ": " + file + ": not " + expected + " ("
                + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + ")");
    }

    @Override
    public String toString() { // never the key
        return "ListenerTls[" + certificateFile + ", " + privateKeyFile + "]";
    }
}
