package ai.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopStringsTest {

    @Test
    void withoutStopStringsEverythingPassesThrough() {
        StopStrings s = new StopStrings(List.of());
        assertThat(s.append("hello")).isEqualTo("hello");
        assertThat(s.matched()).isNull();
    }

    @Test
    void holdsBackAPossibleStartAndReleasesItWhenItIsNot() {
        StopStrings s = new StopStrings(List.of("END"));
        assertThat(s.append("the E")).isEqualTo("the ");
        assertThat(s.append("N")).isEmpty();
        assertThat(s.append("d")).isEqualTo("ENd");
        assertThat(s.matched()).isNull();
    }

    @Test
    void findsAStopStringSplitOverSeveralDeltas() {
        StopStrings s = new StopStrings(List.of("END"));
        assertThat(s.append("ab E")).isEqualTo("ab ");
        assertThat(s.append("N")).isEmpty();
        assertThat(s.append("D and more")).isEmpty();
        assertThat(s.matched()).isEqualTo("END");
    }

    @Test
    void uncheckedTextNeverStopsButAStopEndingInLaterTextDoes() {
        StopStrings s = new StopStrings(List.of("END"));
        assertThat(s.append("an END, E", false)).isEqualTo("an END, "); // min_tokens: no match, "E" held
        assertThat(s.matched()).isNull();
        assertThat(s.append("ND", true)).isEmpty(); // "END" ends in the checked text: it counts
        assertThat(s.matched()).isEqualTo("END");
    }

    @Test
    void aStopCompletedInUncheckedTextDoesNotMatchLater() {
        // "ab" is whole in the unchecked text (held back as the start of "abc"); vLLM looks only for
        // matches that end in the new text, so the later "x" finds none
        StopStrings s = new StopStrings(List.of("ab", "abc"));
        assertThat(s.append("ab", false)).isEmpty();
        assertThat(s.append("x", true)).isEqualTo("abx");
        assertThat(s.matched()).isNull();
        assertThat(s.append("ab", true)).isEmpty();
        assertThat(s.matched()).isEqualTo("ab");
    }

    @Test
    void theEarliestMatchWins() {
        StopStrings s = new StopStrings(List.of("world", "lo"));
        assertThat(s.append("hello world")).isEqualTo("hel");
        assertThat(s.matched()).isEqualTo("lo");
    }

    @Test
    void drainReturnsHeldTextAtTheEnd() {
        StopStrings s = new StopStrings(List.of("</s>"));
        assertThat(s.append("done </")).isEqualTo("done ");
        assertThat(s.drain()).isEqualTo("</");
    }
}
