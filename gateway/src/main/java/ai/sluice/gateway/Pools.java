package ai.sluice.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The pools of one config, by name, and what is asked across all of them (models, probing, readiness). */
final class Pools {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, Pool> byName = new LinkedHashMap<>();

    Pools(Policy policy, GatewayConfig config, Discovery.Resolver resolver, Pools previous) {
        for (PoolSpec spec : policy.pools()) {
            Pool before = previous == null ? null : previous.byName.get(spec.name());
            if (before != null && before.external() != spec.isExternal()) {
                before = null;
            }
            byName.put(spec.name(), new Pool(spec, config, resolver, before));
        }
    }

    Pool get(String name) {
        return byName.get(name);
    }

    List<Pool> all() {
        return List.copyOf(byName.values());
    }

    /** The replicas the prober checks: every pool's but the external providers' (they have no /health). */
    List<Replica> probed() {
        List<Replica> out = new ArrayList<>();
        for (Pool p : byName.values()) {
            if (!p.external()) {
                out.addAll(p.fleet.all());
            }
        }
        return out;
    }

    List<Replica> replicas() {
        List<Replica> out = new ArrayList<>();
        byName.values().forEach(p -> out.addAll(p.fleet.all()));
        return out;
    }

    /** Whether some pool can be asked for {@code model}, or nobody knows yet (replicas still starting). */
    boolean mayServe(String model) {
        boolean known = false;
        for (Pool p : byName.values()) {
            if (p.external()) {
                if (p.spec.external().theirModel(model) != null) {
                    return true;
                }
                continue;
            }
            if (!p.fleet.knowsModels()) {
                return true;
            }
            known = true;
            if (p.fleet.serves(model)) {
                return true;
            }
        }
        return !known;
    }

    boolean anyRoutable(long nowNanos) {
        for (Pool p : byName.values()) {
            if (p.fleet.anyRoutable(nowNanos)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The healthy replicas' model objects, pool by pool (duplicates included), and for an external pool one object
     * per model its {@code models:} map names (our name; the provider's stays the gateway's business).
     */
    List<JsonNode> modelCards() {
        List<JsonNode> out = new ArrayList<>();
        for (Pool p : byName.values()) {
            out.addAll(p.fleet.modelCards());
            if (p.external()) {
                for (String ours : p.spec.external().models().keySet()) {
                    out.add(JSON.createObjectNode().put("id", ours).put("object", "model")
                            .put("owned_by", "sluice-gateway:" + p.name()));
                }
            }
        }
        return out;
    }
}
