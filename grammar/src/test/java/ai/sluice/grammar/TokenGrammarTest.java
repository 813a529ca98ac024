package ai.sluice.grammar;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

class TokenGrammarTest {
    /** Every single byte, JSON-ish pieces, random multi-byte strings, and two tokens with no text. */
    static TokenVocabulary vocabulary(long seed) {
        List<byte[]> v = new ArrayList<>();
        v.add(null); // like BOS
        v.add(new byte[0]); // like EOS
        for (int b = 0; b < 256; b++) {
            v.add(new byte[] {(byte) b});
        }
        for (String s : List.of("{\"", "\":", "\": ", "\",", "\", \"", "\"}", "}", "},", "]}", "[\"", "\"]", " \"",
                "name", "age", "true", "false", "null", "12", "3.", "e-", "\n  ", "\n    \"", "person", "Ann", " {",
                "ü", "AB", "-0", "2024", "-02-", "\\\"", "tags\":", "kind", "\"a\"", "é", "\u20ac")) {
            v.add(s.getBytes(StandardCharsets.UTF_8));
        }
        Random r = new Random(seed);
        String alphabet = "{}[]\",: \n abcdefghijklmnopqrstuvwxyz0123456789-.eE\\üé";
        for (int i = 0; i < 400; i++) {
            StringBuilder sb = new StringBuilder();
            int len = 1 + r.nextInt(6);
            for (int j = 0; j < len; j++) {
                sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            v.add(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
        return new TokenVocabulary(v.toArray(byte[][]::new));
    }

    @Property(tries = 12)
    void masksEqualBruteForceAlongRandomPaths(@ForAll long seed) {
        TokenVocabulary vocab = vocabulary(seed);
        Grammar g = JsonSchemaGrammar.fromSchema(SchemaSamples.parse(SchemaSamples.PERSON));
        TokenGrammar tg = new TokenGrammar(g, vocab);
        TokenMatcher m = tg.matcher();
        Random r = new Random(seed);
        long[] mask = new long[tg.maskWords()];
        for (int step = 0; step < 60 && m.canContinue(); step++) {
            m.fillMask(mask);
            List<Integer> allowed = new ArrayList<>();
            for (int t = 0; t < vocab.size(); t++) {
                byte[] b = vocab.bytes(t);
                boolean expected = b != null && g.advance(m.state(), b) != null;
                boolean actual = (mask[t >>> 6] & (1L << t)) != 0;
                assertThat(actual).as("token %d at step %d", t, step).isEqualTo(expected);
                if (expected) {
                    allowed.add(t);
                }
            }
            assertThat(allowed).isNotEmpty();
            assertThat(m.accept(allowed.get(r.nextInt(allowed.size())))).isTrue();
        }
    }

    @Property(tries = 4)
    void jsonObjectMasksEqualBruteForce(@ForAll long seed) {
        TokenVocabulary vocab = vocabulary(seed);
        Grammar g = JsonSchemaGrammar.anyObject();
        TokenGrammar tg = new TokenGrammar(g, vocab);
        TokenMatcher m = tg.matcher();
        Random r = new Random(seed);
        long[] mask = new long[tg.maskWords()];
        for (int step = 0; step < 80 && m.canContinue(); step++) {
            m.fillMask(mask);
            List<Integer> allowed = new ArrayList<>();
            for (int t = 0; t < vocab.size(); t++) {
                byte[] b = vocab.bytes(t);
                boolean expected = b != null && g.advance(m.state(), b) != null;
                assertThat((mask[t >>> 6] & (1L << t)) != 0).as("token %d at step %d", t, step).isEqualTo(expected);
                if (expected) {
                    allowed.add(t);
                }
            }
            assertThat(m.accept(allowed.get(r.nextInt(allowed.size())))).isTrue();
        }
    }
}
