package ai.sluice.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The two hash tables of the tokenizers against plain maps: token text to id (whole strings,
 * slices, slices with one char skipped) and BPE merge ranks (first occurrence wins, merges of
 * unknown pieces never apply).
 */
class TextIndexAndMergeRanksTest {

    @Provide
    Arbitrary<List<String>> vocabularies() {
        // a tiny alphabet: many tokens share prefixes and hash neighbourhoods
        return Arbitraries.strings().withChars("abcÄ▁").ofMinLength(1).ofMaxLength(4).set().ofMinSize(1).ofMaxSize(60)
                .map(s -> List.copyOf(new LinkedHashSet<>(s)));
    }

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.strings().withChars("abcÄ▁x").ofMinLength(0).ofMaxLength(7);
    }

    private static Map<String, Integer> ids(List<String> vocab) {
        Map<String, Integer> m = new HashMap<>();
        for (int i = 0; i < vocab.size(); i++) {
            m.put(vocab.get(i), i);
        }
        return m;
    }

    @Property(tries = 150)
    void findsExactlyTheTokensOfTheVocabulary(@ForAll("vocabularies") List<String> vocab,
                                              @ForAll("texts") String text) {
        TextIndex index = new TextIndex(vocab.toArray(String[]::new));
        Map<String, Integer> ids = ids(vocab);
        for (int i = 0; i < vocab.size(); i++) {
            assertThat(index.find(vocab.get(i))).isEqualTo(i);
        }
        for (int from = 0; from <= text.length(); from++) {
            for (int to = from; to <= text.length(); to++) {
                int expected = ids.getOrDefault(text.substring(from, to), -1);
                assertThat(index.find(text, from, to)).isEqualTo(expected);
                // the CharSequence path gives the same answers
                assertThat(index.find(new StringBuilder(text), from, to)).isEqualTo(expected);
                for (int skip = from; skip < to; skip++) {
                    String without = text.substring(from, skip) + text.substring(skip + 1, to);
                    assertThat(index.findSkipping(text, from, to, skip)).as("%s [%d, %d) without %d", text, from, to, skip)
                            .isEqualTo(ids.getOrDefault(without, -1));
                }
            }
        }
    }

    @Property(tries = 150)
    void mergeRanksAreTheFirstRankOfEachPairOfTokens(@ForAll("vocabularies") List<String> vocab,
                                                     @ForAll("merges") List<String> merges) {
        String[] texts = vocab.toArray(String[]::new);
        Map<String, Integer> ids = ids(vocab);
        MergeRanks ranks = new MergeRanks(merges.toArray(String[]::new), new TextIndex(texts));
        Map<Long, Integer> expected = new HashMap<>();
        for (int rank = 0; rank < merges.size(); rank++) {
            String m = merges.get(rank);
            int space = m.indexOf(' ', 1);
            Integer left = space < 0 ? null : ids.get(m.substring(0, space));
            Integer right = space < 0 ? null : ids.get(m.substring(space + 1));
            Integer merged = space < 0 ? null : ids.get(m.substring(0, space) + m.substring(space + 1));
            if (left == null || right == null || merged == null) {
                assertThat(ranks.mergedId(rank)).as("merge %d '%s' can never apply", rank, m).isEqualTo(-1);
                continue;
            }
            assertThat(ranks.mergedId(rank)).isEqualTo(merged);
            expected.putIfAbsent(((long) left << 32) | right, rank);
        }
        for (int l = 0; l < texts.length; l++) {
            for (int r = 0; r < texts.length; r++) {
                assertThat(ranks.rank(l, r)).as("%s + %s", texts[l], texts[r])
                        .isEqualTo(expected.getOrDefault(((long) l << 32) | r, -1));
            }
        }
    }

    @Provide
    Arbitrary<List<String>> merges() {
        Arbitrary<String> piece = Arbitraries.strings().withChars("abcÄ▁").ofMinLength(1).ofMaxLength(2);
        Arbitrary<String> merge = Arbitraries.oneOf(
                piece.flatMap(l -> piece.map(r -> l + " " + r)),
                piece, // no space: skipped
                piece.map(p -> " " + p)); // a space at 0 is not the separator
        return merge.list().ofMaxSize(40);
    }

    @Example
    void duplicateTokensAreRefusedNamingBothIds() {
        assertThatThrownBy(() -> new TextIndex(new String[] {"a", "b", "a"})).isInstanceOf(TokenizerException.class)
                .hasMessageContaining("duplicate token in vocabulary: 'a' has ids 0 and 2");
    }

    @Example
    void aLargeVocabularyFillsNoMoreThanHalfTheTable() {
        String[] texts = new String[5000];
        for (int i = 0; i < texts.length; i++) {
            texts[i] = "t" + i;
        }
        TextIndex index = new TextIndex(texts);
        for (int i = 0; i < texts.length; i += 97) {
            assertThat(index.find(texts[i])).isEqualTo(i);
        }
        assertThat(index.find("t5000")).isEqualTo(-1);
        String[] merges = new String[3000];
        for (int i = 0; i < merges.length; i++) {
            merges[i] = "t" + i + " " + (i % 10);
        }
        // "t1 1" merges to "t11": a merge exists only where both halves and the result are tokens
        MergeRanks ranks = new MergeRanks(merges, new TextIndex(concat(texts, Set.of("0", "1", "2", "3", "4", "5",
                "6", "7", "8", "9"))));
        assertThat(ranks.mergedId(1)).isEqualTo(11);
        assertThat(ranks.rank(1, 5001)).isEqualTo(1);
        assertThat(ranks.rank(1, 5000)).isEqualTo(-1);
    }

    private static String[] concat(String[] texts, Set<String> more) {
        List<String> all = new java.util.ArrayList<>(List.of(texts));
        all.addAll(new java.util.TreeSet<>(more));
        return all.toArray(String[]::new);
    }
}
