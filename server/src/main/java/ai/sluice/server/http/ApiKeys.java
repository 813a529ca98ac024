package ai.sluice.server.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Checks bearer keys in constant time: both sides are hashed to 32 bytes first, so neither the
 * length nor the content of a key leaks through timing, and every configured key is compared.
 */
final class ApiKeys {
    private final List<byte[]> digests;

    ApiKeys(List<String> keys) {
        this.digests = keys.stream().map(ApiKeys::sha256).toList();
    }

    boolean enabled() {
        return !digests.isEmpty();
    }

    /**
     * True when {@code authorization} is {@code Bearer <one of the keys>}, or else {@code xApiKey}
     * (the {@code X-Api-Key} header llama-server and several SDKs send) is one of them.
     */
    boolean accepts(String authorization, String xApiKey) {
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return matches(authorization.substring(7).strip());
        }
        return xApiKey != null && matches(xApiKey.strip());
    }

    private boolean matches(String key) {
        byte[] given = sha256(key);
        boolean ok = false;
        for (byte[] d : digests) {
            ok |= MessageDigest.isEqual(d, given);
        }
        return ok;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
