package ai.sluice.server.api;

import java.util.List;

/**
 * {@code GET /v1/models}. {@code root} (what the model was loaded from), {@code parent} (the base of
 * an adapter; null for a base model) and {@code max_model_len} are vLLM's extensions.
 */
public final class Models {
    private Models() {
    }

    public record ModelList(String object, List<Model> data) {
    }

    public record Model(String id, String object, long created, String ownedBy, String root, String parent,
                        int maxModelLen) {
    }
}
