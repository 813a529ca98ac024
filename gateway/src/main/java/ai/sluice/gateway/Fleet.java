package ai.sluice.gateway;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** The replicas, and what their answers to /v1/models say about which model each serves. */
final class Fleet {
    private final List<Replica> replicas;
    private final Function<Replica, List<JsonNode>> cards;

    Fleet(List<Replica> replicas, Function<Replica, List<JsonNode>> cards) {
        this.replicas = List.copyOf(replicas);
        this.cards = cards;
    }

    List<Replica> all() {
        return replicas;
    }

    /** The replicas that may serve {@code model}: those listing it, and those whose list is not known yet. */
    List<Replica> serving(String model) {
        if (model == null) {
            return replicas;
        }
        List<Replica> out = new ArrayList<>(replicas.size());
        for (Replica r : replicas) {
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
                out.addAll(cards.apply(r));
            }
        }
        return out;
    }
}
