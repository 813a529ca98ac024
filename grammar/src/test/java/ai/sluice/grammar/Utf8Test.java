package ai.sluice.grammar;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class Utf8Test {
    /** Where UTF-8 changes length or skips the surrogates, and the ends of Unicode. */
    private static final int[] EDGES = {0, 0x7F, 0x80, 0x7FF, 0x800, 0xFFF, 0x1000, 0xD7FF, 0xE000, 0xFFFF, 0x10000,
            0x3FFFF, 0x40000, Utf8.MAX};

    private static boolean isScalar(int cp) {
        return cp >= 0 && cp <= Utf8.MAX && (cp < 0xD800 || cp > 0xDFFF);
    }

    @Test
    void rangesMatchExactlyTheirCodePointsAcrossEveryLengthBoundary() {
        List<Integer> probes = new ArrayList<>();
        for (int e : EDGES) {
            for (int d = -1; d <= 1; d++) {
                if (isScalar(e + d)) {
                    probes.add(e + d);
                }
            }
        }
        for (int lo : EDGES) {
            for (int hi : EDGES) {
                if (lo > hi) {
                    continue;
                }
                Grammar g = new GrammarBuilder().define("root", Utf8.range(lo, hi)).build("root");
                for (int cp : probes) {
                    String s = new String(Character.toChars(cp));
                    assertThat(g.matches(s)).as("U+%X in %X..%X", cp, lo, hi).isEqualTo(lo <= cp && cp <= hi);
                }
                assertThat(g.matches("aa")).as("one code point only").isFalse();
            }
        }
    }

    @Test
    void surrogatesAreNotCharacters() {
        assertThat(Utf8.holdsACharacter(List.of(new int[] {0xD800, 0xD800}))).isFalse();
        assertThat(Utf8.holdsACharacter(List.of(new int[] {0xDFFF, 0xDFFF}))).isFalse();
        assertThat(Utf8.holdsACharacter(List.of(new int[] {0xD800, 0xDFFF}))).isFalse();
        assertThat(Utf8.holdsACharacter(List.of(new int[] {0xD7FF, 0xD7FF}))).isTrue();
        assertThat(Utf8.holdsACharacter(List.of(new int[] {0xE000, 0xE000}))).isTrue();
        assertThat(Utf8.holdsACharacter(List.of(new int[] {0xD800, 0xE000}))).isTrue();
        assertThat(Utf8.holdsACharacter(List.of(new int[] {'a', 'a'}))).isTrue();
        assertThat(Utf8.holdsACharacter(List.of(new int[] {Utf8.MAX, Utf8.MAX}))).isTrue();
        assertThat(Utf8.holdsACharacter(List.of(new int[] {Utf8.MAX + 1, Utf8.MAX + 1}))).isFalse();
        assertThat(Utf8.holdsACharacter(List.of(new int[] {5, 4}))).as("an empty pair").isFalse();
        assertThat(Utf8.holdsACharacter(List.of())).isFalse();
        Grammar aroundSurrogates = new GrammarBuilder().define("root", Utf8.range(0xD000, 0xE100)).build("root");
        assertThat(aroundSurrogates.matches("\uD7FF")).isTrue();
        assertThat(aroundSurrogates.matches("\uE000")).isTrue();
    }

    @Test
    void complementsCoverTheRestUpToTheLastCodePoint() {
        assertThat(Utf8.complement(List.of(new int[] {0, Utf8.MAX - 1}))).containsExactly(new int[] {Utf8.MAX, Utf8.MAX});
        assertThat(Utf8.complement(List.of(new int[] {0, Utf8.MAX}))).isEmpty();
        assertThat(Utf8.complement(List.of(new int[] {1, 5}, new int[] {3, 9})))
                .containsExactly(new int[] {0, 0}, new int[] {10, Utf8.MAX});
        assertThat(Utf8.complement(List.of(new int[] {'b', 'b'}, new int[] {'a', 'a'})))
                .containsExactly(new int[] {0, 'a' - 1}, new int[] {'c', Utf8.MAX});
    }
}
