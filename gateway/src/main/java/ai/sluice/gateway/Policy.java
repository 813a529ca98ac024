package ai.sluice.gateway;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pools, data classes and keys: where a request may go and what it may spend.
 *
 * @param pools        in the order of the file (the default class's order)
 * @param dataClasses  class name -> the pools it may use, in order of preference
 * @param defaultClass the class of a request whose key fixes none and that sends no x-sluice-data-class header;
 *                     null: such a request may use every pool, in file order
 * @param keys         named client keys with their class and limits
 */
public record Policy(List<PoolSpec> pools, Map<String, List<String>> dataClasses, String defaultClass,
                     List<KeySpec> keys) {
    public static final String DEFAULT_POOL = "default";

    public Policy {
        pools = List.copyOf(pools);
        Map<String, List<String>> copy = new LinkedHashMap<>();
        dataClasses.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        dataClasses = java.util.Collections.unmodifiableMap(copy);
        keys = List.copyOf(keys);
    }

    /** The plain gateway: one pool of {@code replicas}, no classes, no named keys. */
    public static Policy single(List<URI> replicas) {
        return new Policy(List.of(new PoolSpec(DEFAULT_POOL, List.of(), replicas, null, PoolSpec.Prices.FREE,
                PoolSpec.Spill.NEVER)), Map.of(), null, List.of());
    }

    /** The pools a class may use, in order; {@code dataClass} null: all pools. */
    public List<String> allowed(String dataClass) {
        if (dataClass == null) {
            List<String> all = new ArrayList<>();
            pools.forEach(p -> all.add(p.name()));
            return all;
        }
        return dataClasses.get(dataClass);
    }

    /** Every replica URL of every pool (the replicas the plain gateway would have). */
    public List<URI> allReplicas() {
        List<URI> out = new ArrayList<>();
        pools.forEach(p -> out.addAll(p.replicas()));
        return out;
    }
}
