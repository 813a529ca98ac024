package ai.sluice.core.tokenizer;

import ai.sluice.core.testing.SharedData;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** stories260K (SentencePiece, 512 tokens) against llama.cpp's own tokenization and detokenization. */
class Stories260KTokenizerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static JsonNode oracle;
    private static Tokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException {
        oracle = JSON.readTree(SharedData.oracle().resolve("stories260K.json").toFile());
        tokenizer = SharedTokenizers.stories260K();
    }

    @Test
    void encodesEveryPromptLikeLlamaCpp() throws IOException {
        assertThat(oracle.get("cases")).isNotEmpty();
        for (JsonNode c : oracle.get("cases")) {
            String prompt = c.get("prompt").asText();
            assertThat(tokenizer.encode(prompt, false, false)).as(prompt).containsExactly(ids(c.get("tokens_no_bos")));
            assertThat(tokenizer.encode(prompt, true, false)).as(prompt).containsExactly(ids(c.get("tokens_with_bos")));
        }
    }

    @Test
    void decodesGeneratedTextLikeLlamaCpp() throws IOException {
        for (JsonNode c : oracle.get("cases")) {
            int[] prompt = ids(c.get("tokens_no_bos"));
            int[] generated = ids(c.get("generated_ids"));
            int[] all = new int[prompt.length + generated.length];
            System.arraycopy(prompt, 0, all, 0, prompt.length);
            System.arraycopy(generated, 0, all, prompt.length, generated.length);

            String full = tokenizer.decode(all);
            String promptText = tokenizer.decode(prompt);
            assertThat(full).startsWith(promptText);
            assertThat(full.substring(promptText.length())).isEqualTo(c.get("generated_text").asText());
            assertThat(full).isEqualTo(c.get("full_text").asText());
        }
    }

    @Test
    void vocabularyMatchesTheOracle() throws IOException {
        Vocabulary v = tokenizer.vocabulary();
        assertThat(v.size()).isEqualTo(512);
        assertThat(v.bosId()).isEqualTo(oracle.get("bos_id").asInt());
        assertThat(v.eosId()).isEqualTo(oracle.get("eos_id").asInt());
        assertThat(v.isEndOfGeneration(2)).isTrue();
        assertThat(v.isControl(1)).isTrue();
        JsonNode first = oracle.get("cases").get(0);
        int[] generated = ids(first.get("generated_ids"));
        JsonNode texts = list(first.get("generated_vocab_text"));
        for (int i = 0; i < generated.length; i++) {
            assertThat(v.text(generated[i])).isEqualTo(texts.get(i).asText());
        }
    }

    /** A JSON list of ids, or the same list stored as a string (some oracle fields are). */
    private static int[] ids(JsonNode node) throws IOException {
        JsonNode list = list(node);
        List<Integer> ids = new ArrayList<>();
        list.forEach(n -> ids.add(n.asInt()));
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    private static JsonNode list(JsonNode node) throws IOException {
        return node.isTextual() ? JSON.readTree(node.asText()) : node;
    }
}
