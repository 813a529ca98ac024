package ai.sluice.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The merge loops of both BPE flavours against the textbook algorithm, written naively: merge the
 * best adjacent pair (lowest merge rank, or highest score), leftmost on ties, until none is left.
 * Vocabularies and merges are random over a three-letter alphabet, so merges chain and compete.
 */
class MergeAlgorithmsPropertiesTest {

    @Provide
    Arbitrary<List<int[]>> picks() {
        return Arbitraries.integers().between(0, 1000).list().ofSize(3)
                .map(l -> new int[] {l.get(0), l.get(1), l.get(2)}).list().ofMaxSize(30);
    }

    @Provide
    Arbitrary<String> words() {
        return Arbitraries.strings().withChars("abc").ofMinLength(1).ofMaxLength(60);
    }

    /** Tokens a, b, c plus the concatenations the picks ask for; merges in pick order. */
    private static void grow(List<int[]> picks, List<String> tokens, List<String> merges) {
        tokens.addAll(List.of("a", "b", "c"));
        for (int[] p : picks) {
            String l = tokens.get(p[0] % tokens.size());
            String r = tokens.get(p[1] % tokens.size());
            merges.add(l + " " + r);
            if (!tokens.contains(l + r)) {
                tokens.add(l + r);
            }
        }
    }

    @Property(tries = 100)
    void bytePairEncodingMergesTheLowestRankLeftmostFirst(@ForAll("picks") List<int[]> picks,
                                                          @ForAll("words") String word) {
        List<String> tokens = new ArrayList<>();
        List<String> merges = new ArrayList<>();
        grow(picks, tokens, merges);
        String[] texts = tokens.toArray(String[]::new);
        TextIndex index = new TextIndex(texts);
        BytePairModel model = new BytePairModel(index, new MergeRanks(merges.toArray(String[]::new), index),
                PreTokenizer.forType("gpt-2"), true, false, false);
        IntList out = new IntList(4);
        model.encode(word, out);

        Map<String, Integer> rank = new HashMap<>();
        for (int i = 0; i < merges.size(); i++) {
            rank.putIfAbsent(merges.get(i), i);
        }
        List<String> symbols = new ArrayList<>(Arrays.asList(word.split("")));
        while (true) {
            int best = -1;
            int bestRank = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                Integer r = rank.get(symbols.get(i) + " " + symbols.get(i + 1));
                if (r != null && r < bestRank) {
                    best = i;
                    bestRank = r;
                }
            }
            if (best < 0) {
                break;
            }
            symbols.set(best, symbols.get(best) + symbols.remove(best + 1));
        }
        int[] expected = symbols.stream().mapToInt(tokens::indexOf).toArray();
        assertThat(out.toArray()).as("%s with merges %s", word, merges).containsExactly(expected);
    }

    @Property(tries = 100)
    void sentencePieceMergesTheBestScoringPairLeftmostFirst(@ForAll("picks") List<int[]> picks,
                                                           @ForAll("words") String word) {
        List<String> tokens = new ArrayList<>();
        grow(picks, tokens, new ArrayList<>());
        String[] texts = tokens.toArray(String[]::new);
        float[] scores = new float[texts.length];
        for (int i = 0; i < texts.length; i++) {
            // a few distinct values: equal scores must fall back to the leftmost pair
            scores[i] = picks.isEmpty() ? 0 : -(picks.get(i % picks.size())[2] % 4);
        }
        TokenType[] types = new TokenType[texts.length];
        Arrays.fill(types, TokenType.NORMAL);
        int[] attrs = new int[texts.length];
        Arrays.fill(attrs, Vocabulary.ATTR_NORMAL);
        Vocabulary vocabulary = new Vocabulary(texts, scores, types, attrs, new BitSet(), -1, -1, -1, -1);
        IntList out = new IntList(4);
        new SentencePieceModel(vocabulary, scores).encode(word, out);

        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < texts.length; i++) {
            ids.put(texts[i], i);
        }
        List<String> symbols = new ArrayList<>(Arrays.asList(word.split("")));
        while (true) {
            int best = -1;
            float bestScore = Float.NEGATIVE_INFINITY;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                Integer id = ids.get(symbols.get(i) + symbols.get(i + 1));
                if (id != null && (best < 0 || scores[id] > bestScore)) {
                    best = i;
                    bestScore = scores[id];
                }
            }
            if (best < 0) {
                break;
            }
            symbols.set(best, symbols.get(best) + symbols.remove(best + 1));
        }
        int[] expected = symbols.stream().mapToInt(ids::get).toArray();
        assertThat(out.toArray()).as("%s over %s", word, tokens).containsExactly(expected);
    }

    @Property(tries = 100)
    void theMergeQueuePopsByKeyThenLeftPosition(@ForAll("entries") List<int[]> entries) {
        MergeQueue q = new MergeQueue();
        for (int[] e : entries) {
            q.push(e[0], e[1], e[1] + 1, e[2], e[2] * 7);
        }
        List<int[]> sorted = new ArrayList<>(entries);
        sorted.sort((x, y) -> x[0] != y[0] ? Integer.compare(x[0], y[0]) : Integer.compare(x[1], y[1]));
        for (int[] e : sorted) {
            assertThat(q.isEmpty()).isFalse();
            q.pop();
            assertThat(new int[] {q.topLeft, q.topRight}).containsExactly(e[1], e[1] + 1);
            // equal (key, left) pairs may come in either order, but their payload travels with them
            assertThat(q.topExtraB).isEqualTo(q.topExtraA * 7);
        }
        assertThat(q.isEmpty()).isTrue();
        q.push(1, 2, 3, 4, 5);
        q.clear();
        assertThat(q.isEmpty()).isTrue();
    }

    @Provide
    Arbitrary<List<int[]>> entries() {
        return Arbitraries.integers().between(0, 9).list().ofSize(3)
                .map(l -> new int[] {l.get(0), l.get(1) * 10 + l.get(2), l.get(2)}).list().ofMaxSize(150);
    }
}
