package ai.sluice.gateway;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The list of replica URLs in gateway.yaml, at the top (one pool) and in each pool: {@code replicas:}, once
 * {@code backends:}. Sluice keeps "backend" for the compute backend ({@code --backend cpu|cuda}), so the gateway's
 * word for a server it routes to is "replica". The old key still reads the same list, for the configs written before
 * the rename; each file that uses it gets one warning line ({@link #warning}), and a mapping holding both keys is an
 * error (which list was meant?). This class is the one place that knows the old name.
 */
final class ReplicasField {
    static final String NAME = "replicas";
    static final String OLD_NAME = "backends";

    /** The list as found: the key it was under (errors about an entry name what the file says) and its node. */
    record Found(String key, JsonNode list) {
    }

    private final String file;
    private final Set<String> oldUses = new LinkedHashSet<>(); // a path read twice is named once

    ReplicasField(String file) {
        this.file = file;
    }

    /** Whether {@code mapping} holds the list, under either name. */
    static boolean in(JsonNode mapping) {
        return mapping.has(NAME) || mapping.has(OLD_NAME);
    }

    /**
     * The list in {@code mapping} under either name, or null when it has neither; {@code at} is the mapping's path
     * ({@code ""} for the top, {@code pools[1]} for a pool). Both names at once: a {@link GatewayException}.
     */
    Found read(String at, JsonNode mapping) {
        JsonNode now = mapping.get(NAME);
        JsonNode old = mapping.get(OLD_NAME);
        if (now != null && old != null) {
            throw new GatewayException(file + ": " + path(at, NAME) + ", " + OLD_NAME + ": give " + NAME + ": only ("
                    + OLD_NAME + ": is its deprecated old name), not both");
        }
        if (old != null) {
            oldUses.add(path(at, OLD_NAME));
            return new Found(OLD_NAME, old);
        }
        return now == null ? null : new Found(NAME, now);
    }

    /** One line naming every place the file used the old name, or empty when it used none. */
    Optional<String> warning() {
        if (oldUses.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(file + ": " + String.join(", ", oldUses) + ": deprecated name, rename it " + NAME
                + ": (the same list of replica URLs; " + OLD_NAME + ": still works for now and will be removed)");
    }

    private static String path(String at, String key) {
        return at.isEmpty() ? key : at + "." + key;
    }
}
