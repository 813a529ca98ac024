package ai.sluice.gateway;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The replicas (the list changes when {@link Discovery} finds replicas joining or leaving), and what their answers
 * to /v1/models say about which model each serves.
 */
final class Fleet {
    private volatile List<Replica> replicas;

    Fleet(List<Replica> replicas) {
        this.replicas = List.copyOf(replicas);
    }

    List<Replica> all() {
        return replicas;
    }

    /**
     * Makes {@code uris} the replicas: those already known keep their state (health, breaker, load), new ones start
     * unhealthy until their first check, missing ones leave (requests in flight there finish). Returns whether
     * anything changed.
     */
    synchronized boolean update(List<java.net.URI> uris, java.util.function.Function<java.net.URI, Replica> create) {
        List<Replica> now = replicas;
        if (now.stream().map(Replica::base).toList().equals(uris)) {
            return false;
        }
        java.util.Map<java.net.URI, Replica> known = new java.util.HashMap<>();
        for (Replica r : now) {
            known.put(r.base(), r);
        }
        List<Replica> next = new ArrayList<>(uris.size());
        for (java.net.URI u : uris) {
            Replica r = known.get(u);
            next.add(r != null ? r : create.apply(u));
        }
        replicas = List.copyOf(next);
        return true;
    }

    /** The replicas that may serve {@code model}: those listing it, and those whose list is not known yet. */
    List<Replica> serving(String model) {
        List<Replica> all = replicas;
        if (model == null) {
            return all;
        }
        List<Replica> out = new ArrayList<>(all.size());
        for (Replica r : all) {
            if (r.models().isEmpty() || r.models().contains(model)) {
                out.add(r);
            }
        }
        return out;
    }

    /** Whether some healthy replica has told its models (else an unknown model cannot be told from a cold start). */
    boolean knowsModels() {
        for (Replica r : replicas) {
            if (r.healthy() && !r.models().isEmpty()) {
                return true;
            }
        }
        return false;
    }

    boolean serves(String model) {
        for (Replica r : replicas) {
            if (r.models().contains(model)) {
                return true;
            }
        }
        return false;
    }

    boolean anyRoutable(long nowNanos) {
        for (Replica r : replicas) {
            if (r.routable(nowNanos)) {
                return true;
            }
        }
        return false;
    }

    /** The model objects of the healthy replicas, in replica order (duplicates included). */
    List<JsonNode> modelCards() {
        List<JsonNode> out = new ArrayList<>();
        for (Replica r : replicas) {
            if (r.healthy()) {
                out.addAll(r.modelCards());
            }
        }
        return out;
    }
}
