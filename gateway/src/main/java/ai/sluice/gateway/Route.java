package ai.sluice.gateway;

import java.util.ArrayList;
import java.util.List;

/**
 * Where one request may go: its data class, where the class came from, and the pools the class allows, in order.
 * Pools not in {@code allowed} are never asked, whatever fails: {@link ReplicaPicker} takes replicas from these
 * pools only.
 *
 * @param dataClass the class; null when no classes apply (every pool allowed)
 * @param source    "key", "header" or "default"
 * @param allowed   the pools to try, in order of preference
 * @param excluded  the other pools' names (for --explain and the 503's message)
 */
record Route(String dataClass, String source, List<Pool> allowed, List<String> excluded) {
    Route {
        allowed = List.copyOf(allowed);
        excluded = List.copyOf(excluded);
    }

    /** The allowed pools in the order to try now: those not spilling first, then those spilling (each in order). */
    List<Pool> order() {
        List<Pool> calm = new ArrayList<>();
        List<Pool> spilling = new ArrayList<>();
        for (Pool p : allowed) {
            (p.spilling() ? spilling : calm).add(p);
        }
        calm.addAll(spilling);
        return calm;
    }

    /** "data class restricted (from the key)". */
    String describeClass() {
        return dataClass == null ? "no data class" : "data class " + dataClass + " (from the " + source + ")";
    }

    List<String> allowedNames() {
        return allowed.stream().map(Pool::name).toList();
    }
}
