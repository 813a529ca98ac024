package ai.sluice.core.tokenizer;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Special tokens, BOS/EOS, decoding and token bytes on real vocabularies. */
class TokenizerBehaviourTest {

    @Test
    void sentencePieceAddsBosAndTheLeadingSpace() {
        Tokenizer spm = SharedTokenizers.vocab("llama-spm");
        int[] plain = spm.encode("Hello world", false, false);
        assertThat(spm.vocabulary().text(plain[0])).isEqualTo("▁Hello");
        assertThat(spm.encode("Hello world", true, false)).startsWith(1).endsWith(plain).hasSize(plain.length + 1);
        assertThat(spm.encode("", true, false)).containsExactly(1);
        assertThat(spm.encode("", false, false)).isEmpty();
    }

    @Test
    void llama3AddsBosFromTheVocabularyAndParsesControlTokensOnlyWhenAsked() {
        Tokenizer llama3 = SharedTokenizers.vocab("llama-bpe");
        int eot = llama3.vocabulary().id("<|eot_id|>");
        assertThat(llama3.encode("Hello", true, false)).containsExactly(128000, llama3.encode("Hello", false, false)[0]);
        assertThat(llama3.encode("<|eot_id|>", false, true)).containsExactly(eot);
        assertThat(llama3.encode("<|eot_id|>", false, false)).doesNotContain(eot).hasSizeGreaterThan(1);
        assertThat(llama3.vocabulary().isEndOfGeneration(eot)).isTrue();
        assertThat(llama3.vocabulary().isEndOfGeneration(llama3.vocabulary().eosId())).isTrue();
        assertThat(llama3.vocabulary().isEndOfGeneration(llama3.encode("Hello", false, false)[0])).isFalse();
    }

    @Test
    void gpt2AddsNoBosUnlessTheVocabularySaysSo() {
        Tokenizer gpt2 = SharedTokenizers.vocab("gpt-2");
        assertThat(gpt2.encode("Hello", true, false)).containsExactly(15496);
        assertThat(gpt2.vocabulary().bosId()).isEqualTo(50256);
    }

    @Test
    void userDefinedTokensAreMatchedEvenWithoutParseSpecial() {
        Tokenizer mpt = SharedTokenizers.vocab("mpt");
        int tenSpaces = mpt.vocabulary().id(" ".repeat(10));
        assertThat(mpt.vocabulary().type(tenSpaces)).isEqualTo(TokenType.USER_DEFINED);
        assertThat(mpt.encode("a" + " ".repeat(10) + "b", false, false)).contains(tenSpaces);
        assertThat(mpt.decode(mpt.encode("a" + " ".repeat(10) + "b", false, false))).isEqualTo("a" + " ".repeat(10) + "b");
    }

    @Test
    void phi3SpecialTokensSwallowTheWhitespaceAfterThem() {
        Tokenizer phi3 = SharedTokenizers.vocab("phi-3");
        int end = phi3.vocabulary().id("<|end|>");
        int[] hi = phi3.encode("hi", false, false);
        int[] expected = IntStream.concat(IntStream.of(end), IntStream.of(hi)).toArray();
        assertThat(phi3.encode("<|end|>\n hi", false, true)).containsExactly(expected);
        assertThat(phi3.vocabulary().isEndOfGeneration(end)).isTrue();
    }

    @Test
    void decodeRendersNoControlTokensAndDropsTheFirstSentencePieceSpace() {
        Tokenizer spm = SharedTokenizers.vocab("llama-spm");
        int[] ids = spm.encode("Hello world", false, false);
        assertThat(spm.decode(ids)).isEqualTo("Hello world");
        // As llama.cpp: BOS renders nothing, and the space is only dropped from the very first token.
        assertThat(spm.decode(spm.encode("Hello world", true, false))).isEqualTo(" Hello world");
        assertThat(spm.decode(new int[] {2})).isEmpty();
    }

    @Test
    void decodeCleansSpacesWhereTheVocabularyAsksForIt() {
        Tokenizer gpt2 = SharedTokenizers.vocab("gpt-2");
        int[] ids = IntStream.concat(IntStream.of(gpt2.encode("Hi", false, false)),
                IntStream.of(gpt2.encode(" ,", false, false))).toArray();
        assertThat(gpt2.decode(ids)).isEqualTo("Hi,");
        Tokenizer qwen = SharedTokenizers.vocab("qwen2");
        assertThat(qwen.decode(qwen.encode("Hi ,", false, false))).isEqualTo("Hi ,");
    }

    @Test
    void tokenBytesAreTheTextATokenStandsFor() {
        Tokenizer spm = SharedTokenizers.vocab("llama-spm");
        assertThat(spm.tokenBytes(spm.vocabulary().id("▁the"))).isEqualTo(" the".getBytes(StandardCharsets.UTF_8));
        assertThat(spm.tokenBytes(spm.vocabulary().id("<0x0A>"))).containsExactly(0x0A);
        assertThat(spm.tokenBytes(1)).isEqualTo("<s>".getBytes(StandardCharsets.UTF_8));
        Tokenizer gpt2 = SharedTokenizers.vocab("gpt-2");
        assertThat(gpt2.tokenBytes(gpt2.vocabulary().id("Ġthe"))).isEqualTo(" the".getBytes(StandardCharsets.UTF_8));
        assertThat(gpt2.tokenBytes(gpt2.vocabulary().id("Ċ"))).containsExactly('\n');
    }

    @Test
    void outOfRangeIdsAreRejectedWithAClearMessage() {
        Tokenizer spm = SharedTokenizers.stories260K();
        assertThatThrownBy(() -> spm.decode(new int[] {512})).isInstanceOf(TokenizerException.class)
                .hasMessageContaining("512");
        assertThatThrownBy(() -> spm.tokenBytes(-1)).isInstanceOf(TokenizerException.class);
    }

    @Test
    void oneInstanceServesManyThreads() throws Exception {
        Tokenizer qwen = SharedTokenizers.vocab("qwen2");
        String[] texts = {"Hello, world! 😁", "日本語のテキスト 123", "def f(x):\n    return x ** 2\n", "нещо на Български"};
        int[][] expected = new int[texts.length][];
        for (int i = 0; i < texts.length; i++) {
            expected[i] = qwen.encode(texts[i], false, false);
        }
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            var results = new java.util.ArrayList<java.util.concurrent.Future<Boolean>>();
            for (int task = 0; task < 16; task++) {
                int which = task % texts.length;
                results.add(pool.submit(() -> {
                    boolean same = true;
                    for (int round = 0; round < 200; round++) {
                        same &= java.util.Arrays.equals(qwen.encode(texts[which], false, false), expected[which]);
                        same &= qwen.decode(expected[which]).equals(texts[which]);
                    }
                    return same;
                }));
            }
            for (var result : results) {
                assertThat(result.get()).isTrue();
            }
        }
    }

    @Test
    void longPromptsEncodeAndDecodeBack() {
        Tokenizer llama3 = SharedTokenizers.vocab("llama-bpe");
        String text = "The quick brown fox jumps over the lazy dog; naïve café, 日本語 🦙 1234567.\n".repeat(200);
        int[] ids = llama3.encode(text, false, false);
        assertThat(ids.length).isGreaterThan(4000);
        assertThat(llama3.decode(ids)).isEqualTo(text);
    }
}
