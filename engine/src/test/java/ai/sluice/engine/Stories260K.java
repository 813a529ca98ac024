package ai.sluice.engine;

import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.model.LlamaModel;
import ai.sluice.core.tensor.CpuBackend;
import ai.sluice.core.tensor.KernelPool;
import ai.sluice.core.tokenizer.Tokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The real stories260K model and its llama.cpp oracle, from ../shared (never copied into the repo). */
final class Stories260K implements AutoCloseable {
    final GgufFile file;
    final CpuBackend backend;
    final LlamaModel model;
    final Tokenizer tokenizer;

    private Stories260K(GgufFile file, CpuBackend backend, LlamaModel model, Tokenizer tokenizer) {
        this.file = file;
        this.backend = backend;
        this.model = model;
        this.tokenizer = tokenizer;
    }

    static Path shared() {
        String prop = System.getProperty("sluice.shared");
        return Path.of(prop != null ? prop : "../../shared").toAbsolutePath().normalize();
    }

    static Stories260K open() {
        GgufFile file = GgufFile.open(shared().resolve("models/stories260K.gguf"));
        CpuBackend backend = new CpuBackend(new KernelPool(1));
        return new Stories260K(file, backend, LlamaModel.load(file, backend), Tokenizer.fromGguf(file.metadata()));
    }

    /** One oracle case: the prompt with BOS, llama.cpp's 32 greedy tokens and their text. */
    record Case(String prompt, int[] tokens, int[] generated, String generatedText) {
    }

    static List<Case> oracle() {
        ObjectMapper json = new ObjectMapper();
        try {
            JsonNode root = json.readTree(shared().resolve("oracle/stories260K.json").toFile());
            List<Case> cases = new ArrayList<>();
            for (JsonNode c : root.get("cases")) {
                cases.add(new Case(c.get("prompt").asText(), ints(json, c.get("tokens_with_bos")),
                        ints(json, c.get("generated_ids")), c.get("generated_text").asText()));
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int[] ints(ObjectMapper json, JsonNode node) throws IOException {
        JsonNode n = node.isTextual() ? json.readTree(node.asText()) : node;
        int[] out = new int[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = n.get(i).asInt();
        }
        return out;
    }

    @Override
    public void close() {
        backend.close();
        file.close();
    }
}
