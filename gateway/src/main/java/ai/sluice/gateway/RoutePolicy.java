package ai.sluice.gateway;

import ai.sluice.wire.OpenAiError;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides which key a request carries and which pools its data class allows. The class comes from the key when
 * the key is bound to one; a key's class can only be narrowed by the {@code x-sluice-data-class} header (to a class
 * whose pools are all among the key's), never widened. Without a bound key the header decides, else the default.
 */
final class RoutePolicy {
    static final String HEADER = "x-sluice-data-class";
    /** The metrics' name for requests without a named key. */
    static final String ANONYMOUS = "anonymous";

    private final Policy policy;
    private final Pools pools;

    RoutePolicy(Policy policy, Pools pools) {
        this.policy = policy;
        this.pools = pools;
    }

    /** The named key whose digest matches {@code authorization}'s bearer key; null when none does. */
    KeySpec identify(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7) || policy.keys().isEmpty()) {
            return null;
        }
        byte[] digest = Auth.sha256(authorization.substring(7).strip());
        KeySpec found = null;
        for (KeySpec k : policy.keys()) {
            if (MessageDigest.isEqual(k.sha256(), digest) && found == null) { // every key compared: no early exit
                found = k;
            }
        }
        return found;
    }

    /** A data class and where it came from ("key", "header", "default"); {@code name} null: every pool. */
    record DataClass(String name, String source) {
    }

    /** The data class of a request with {@code key} (may be null) and the class header's value (may be null). */
    static DataClass dataClass(Policy policy, KeySpec key, String header) {
        if (header != null && !policy.dataClasses().containsKey(header)) {
            throw new Refused(400, new OpenAiError(new OpenAiError.Detail("unknown data class \"" + header
                    + "\" in the " + HEADER + " header (known: " + policy.dataClasses().keySet() + ")",
                    "invalid_request_error", HEADER, "unknown_data_class")), 0);
        }
        if (key != null && key.dataClass() != null) {
            if (header == null || header.equals(key.dataClass())) {
                return new DataClass(key.dataClass(), "key");
            }
            if (!policy.allowed(key.dataClass()).containsAll(policy.allowed(header))) {
                throw new Refused(403, new OpenAiError(new OpenAiError.Detail("the key " + key.name()
                        + " is bound to data class " + key.dataClass() + "; the " + HEADER + " header may only narrow"
                        + " it, and " + header + " allows pools that " + key.dataClass() + " does not",
                        "permission_error", HEADER, "data_class_not_allowed")), 0);
            }
            return new DataClass(header, "header");
        }
        if (header != null) {
            return new DataClass(header, "header");
        }
        return new DataClass(policy.defaultClass(), "default");
    }

    /** The route for a request with {@code key} (may be null) and the class header's value (may be null). */
    Route route(KeySpec key, String header) {
        DataClass c = dataClass(policy, key, header);
        List<String> names = policy.allowed(c.name());
        List<Pool> allowed = new ArrayList<>();
        names.forEach(n -> allowed.add(pools.get(n)));
        List<String> excluded = new ArrayList<>();
        for (Pool p : pools.all()) {
            if (!names.contains(p.name())) {
                excluded.add(p.name());
            }
        }
        return new Route(c.name(), c.source(), allowed, excluded);
    }
}
