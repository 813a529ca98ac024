package ai.sluice.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PromptsTest {

    @Test
    void syntheticPromptsHaveTheRequestedWordCountAndDifferFromEachOther() {
        List<Prompt> prompts = SyntheticPrompts.generate(5, 32, 16, 1, new TokenCounter.Words());
        assertThat(prompts).hasSize(5).allSatisfy(p -> {
            assertThat(p.tokens()).isEqualTo(32);
            assertThat(p.text().split(" ")).hasSize(32);
            assertThat(p.maxTokens()).isEqualTo(16);
        });
        assertThat(prompts.stream().map(Prompt::text).distinct()).hasSize(5);
        assertThat(SyntheticPrompts.generate(5, 32, 16, 1, new TokenCounter.Words())).isEqualTo(prompts);
    }

    /** A tokenizer that splits every word into two tokens and adds BOS, like a small-vocabulary model. */
    private static final class CountingTokenizer implements TokenCounter {
        @Override
        public int count(String text) {
            return new TokenCounter.Words().count(text) * 2 + 1;
        }

        @Override
        public boolean exact() {
            return true;
        }

        @Override
        public String describe() {
            return "exact, two tokens a word";
        }
    }

    /**
     * As a small-vocabulary model such as stories260K tokenizes: a long word costs several tokens, so whole words
     * alone often end short of the target; "a" is one token.
     */
    private static final class SmallVocabularyTokenizer implements TokenCounter {
        @Override
        public int count(String text) {
            int n = 1;
            for (String w : text.strip().split("\\s+")) {
                n += w.isEmpty() ? 0 : w.equals("a") ? 1 : w.length() > 3 ? 3 : 2;
            }
            return n;
        }

        @Override
        public boolean exact() {
            return true;
        }

        @Override
        public String describe() {
            return "exact, by word length";
        }
    }

    @Test
    void syntheticPromptsHitTheTargetExactlyWhenWholeWordsFallShort() {
        // Issue 22: 36 x 128-token prompts against stories260K arrived as 4577 tokens, not 4608: the longest
        // whole-word prefix ended 1-4 tokens short. Every odd and even target must now be met exactly.
        for (int target : new int[] {17, 64, 128, 129}) {
            List<Prompt> prompts = SyntheticPrompts.generate(12, target, 4, 7, new SmallVocabularyTokenizer());
            assertThat(prompts).as("target %d", target)
                    .allSatisfy(p -> assertThat(new SmallVocabularyTokenizer().count(p.text())).isEqualTo(target))
                    .allSatisfy(p -> assertThat(p.tokens()).isEqualTo(target));
        }
    }

    @Test
    void syntheticPromptsFitTheTargetUnderAnotherTokenizer() {
        TokenCounter.Words words = new TokenCounter.Words();
        List<Prompt> prompts = SyntheticPrompts.generate(3, 41, 8, 2, new CountingTokenizer());
        // 20 words = 41 tokens exactly.
        assertThat(prompts).allSatisfy(p -> {
            assertThat(p.tokens()).isEqualTo(41);
            assertThat(words.count(p.text())).isEqualTo(20);
        });
        // An even target cannot be hit: the longest prompt below it.
        assertThat(SyntheticPrompts.generate(1, 40, 8, 2, new CountingTokenizer()).getFirst().tokens()).isEqualTo(39);
    }

    @Test
    void datasetReadsShareGptAndPlainPromptLines(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("d.jsonl");
        Files.writeString(file, """
                {"conversations":[{"from":"human","value":"tell me a story"},{"from":"gpt","value":"once upon a time"}]}

                {"prompt":"plain prompt here","max_tokens":7}
                {"conversations":[{"from":"system","value":"be nice"}]}
                """);
        List<Prompt> prompts = DatasetPrompts.load(file, 4, 0, 3, new TokenCounter.Words());
        assertThat(prompts).hasSize(4);
        assertThat(prompts).extracting(Prompt::text).containsOnly("tell me a story", "plain prompt here");
        assertThat(prompts).filteredOn(p -> p.text().equals("tell me a story"))
                .allSatisfy(p -> assertThat(p.maxTokens()).isEqualTo(4));
        assertThat(prompts).filteredOn(p -> p.text().equals("plain prompt here"))
                .allSatisfy(p -> assertThat(p.maxTokens()).isEqualTo(7));
        assertThat(DatasetPrompts.load(file, 2, 9, 3, new TokenCounter.Words()))
                .allSatisfy(p -> assertThat(p.maxTokens()).isEqualTo(9));
    }

    @Test
    void badDatasetsGiveOneLineErrors(@TempDir Path dir) throws Exception {
        Path notJson = dir.resolve("bad.jsonl");
        Files.writeString(notJson, "{\"prompt\":\"ok\"}\nthis is not json\n");
        assertThatThrownBy(() -> DatasetPrompts.load(notJson, 1, 5, 0, new TokenCounter.Words()))
                .isInstanceOf(BenchException.class).hasMessageContaining("line 2 is not JSON");
        Path empty = dir.resolve("empty.jsonl");
        Files.writeString(empty, "{\"other\":1}\n");
        assertThatThrownBy(() -> DatasetPrompts.load(empty, 1, 5, 0, new TokenCounter.Words()))
                .isInstanceOf(BenchException.class).hasMessageContaining("no usable prompts");
        assertThatThrownBy(() -> DatasetPrompts.load(dir.resolve("missing.jsonl"), 1, 5, 0, new TokenCounter.Words()))
                .isInstanceOf(BenchException.class).hasMessageContaining("cannot read dataset");
    }
}
