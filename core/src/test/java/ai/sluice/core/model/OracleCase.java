package ai.sluice.core.model;

import ai.sluice.core.testing.SharedData;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One prompt of a llama.cpp oracle file (shared/oracle/*.json), parsed with Jackson. */
record OracleCase(String prompt, int[] tokensWithBos, int[] generatedIds, int[][] top5Ids, float[][] top5Logits,
                  double[][] top5Probs, float[] firstStepLogits) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static List<OracleCase> load(String fileName) {
        Path path = SharedData.oracle().resolve(fileName);
        try {
            JsonNode root = JSON.readTree(path.toFile());
            List<OracleCase> cases = new ArrayList<>();
            for (JsonNode c : root.get("cases")) {
                JsonNode steps = list(c.get("steps_top5"));
                int[][] ids = new int[steps.size()][];
                float[][] logits = new float[steps.size()][];
                double[][] probs = new double[steps.size()][];
                for (int s = 0; s < steps.size(); s++) {
                    JsonNode top = list(steps.get(s).get("top5"));
                    ids[s] = new int[top.size()];
                    logits[s] = new float[top.size()];
                    probs[s] = new double[top.size()];
                    for (int j = 0; j < top.size(); j++) {
                        ids[s][j] = top.get(j).get("id").asInt();
                        logits[s][j] = (float) top.get(j).get("logit").asDouble();
                        probs[s][j] = top.get(j).get("prob").asDouble();
                    }
                }
                JsonNode fl = list(c.get("first_step_logits"));
                float[] first = new float[fl.size()];
                for (int i = 0; i < first.length; i++) {
                    first[i] = (float) fl.get(i).asDouble();
                }
                cases.add(new OracleCase(c.get("prompt").asText(), ints(c.get("tokens_with_bos")),
                        ints(c.get("generated_ids")), ids, logits, probs, first));
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Some oracle fields are JSON lists stored as strings: accept both forms. */
    private static JsonNode list(JsonNode node) throws IOException {
        return node.isTextual() ? JSON.readTree(node.asText()) : node;
    }

    private static int[] ints(JsonNode node) throws IOException {
        JsonNode n = list(node);
        int[] out = new int[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = n.get(i).asInt();
        }
        return out;
    }

    @Override
    public String toString() {
        return "'" + prompt + "'";
    }
}
