package ai.sluice.gateway;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Keys at the gateway's door and toward its replicas. Clients' keys are kept only as SHA-256 digests and compared in
 * constant time; the key sent to replicas comes from the environment or a file and never appears in a log or a
 * {@code toString}.
 *
 * @param keyDigests SHA-256 digests of the accepted client keys; empty: no key needed
 * @param replicaKey what the gateway sends replicas as {@code Authorization: Bearer ...}; null: the client's own
 *                   header is passed on when the gateway itself checks no keys, nothing otherwise
 */
public record Auth(List<byte[]> keyDigests, Secret replicaKey) {
    public static final Auth NONE = new Auth(List.of(), null);

    public Auth {
        keyDigests = List.copyOf(keyDigests);
    }

    /** A value that must not be printed. */
    public record Secret(String value) {
        @Override
        public String toString() {
            return "Secret[***]";
        }
    }

    public boolean checksKeys() {
        return !keyDigests.isEmpty();
    }

    /** Whether an {@code Authorization} header carries an accepted key. */
    public boolean accepts(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] digest = sha256(authorization.substring(7).strip());
        boolean ok = false;
        for (byte[] d : keyDigests) {
            ok |= MessageDigest.isEqual(d, digest); // no early exit: the time does not tell which key nearly matched
        }
        return ok;
    }

    /** The Authorization header to send a replica for a client request that carried {@code clientHeader}. */
    public String upstreamHeader(String clientHeader) {
        if (replicaKey != null) {
            return "Bearer " + replicaKey.value();
        }
        return checksKeys() ? null : clientHeader;
    }

    static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Hex SHA-256 of a key, as gateway.yaml's api_key_sha256 lists it ({@code printf %s KEY | sha256sum}). */
    public static String digestHex(String key) {
        return HexFormat.of().formatHex(sha256(key));
    }
}
