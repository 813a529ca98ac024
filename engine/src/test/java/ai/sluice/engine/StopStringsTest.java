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
