package ai.sluice.server.api;

import java.util.List;

/** {@code GET /v1/models}. {@code max_model_len} is vLLM's extension. */
public final class Models {
    private Models() {
    }

    public record ModelList(String object, List<Model> data) {
    }

    public record Model(String id, String object, long created, String ownedBy, int maxModelLen) {
    }
}
