package ai.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Stop strings against the obvious model: after each delta, if some stop string occurs in the text
 * so far, the output is the text before the earliest one; otherwise everything is eventually out,
 * and nothing that could still begin a stop string is out early.
 */
class StopStringsPropertiesTest {

    @Provide
    Arbitrary<List<String>> deltas() {
        return Arbitraries.strings().withChars("abc").ofMinLength(0).ofMaxLength(4).list().ofMaxSize(12);
    }

    @Provide
    Arbitrary<List<String>> stops() {
        return Arbitraries.strings().withChars("abc").ofMinLength(1).ofMaxLength(4).list().ofMinSize(1).ofMaxSize(3);
    }

    @Property(tries = 300)
    void emitsExactlyTheTextBeforeTheFirstStopToAppear(@ForAll("deltas") List<String> deltas,
                                                       @ForAll("stops") List<String> stops) {
        StopStrings s = new StopStrings(stops);
        StringBuilder text = new StringBuilder();
        StringBuilder out = new StringBuilder();
        for (String delta : deltas) {
            text.append(delta);
            out.append(s.append(delta));
            int earliest = -1;
            String first = null;
            for (String stop : stops) {
                int at = text.indexOf(stop);
                if (at >= 0 && (earliest < 0 || at < earliest)) {
                    earliest = at;
                    first = stop;
                }
            }
            if (earliest >= 0) {
                assertThat(out.toString()).isEqualTo(text.substring(0, earliest));
                assertThat(s.matched()).isEqualTo(first);
                return;
            }
            assertThat(s.matched()).isNull();
            // everything out is final, and what is held could still start a stop string
            assertThat(text.toString()).startsWith(out.toString());
            String held = text.substring(out.length());
            assertThat(held.length()).isLessThan(stops.stream().mapToInt(String::length).max().orElse(0));
            assertThat(held.isEmpty() || stops.stream().anyMatch(st -> st.startsWith(held)))
                    .as("held %s", held).isTrue();
            // and nothing more could have been let out: held is the longest suffix that begins a stop string
            int expectedHeld = 0;
            for (int k = text.length(); k > 0 && expectedHeld == 0; k--) {
                int length = k;
                String suffix = text.substring(text.length() - length);
                if (stops.stream().anyMatch(st -> st.length() > length && st.startsWith(suffix))) {
                    expectedHeld = length;
                }
            }
            assertThat(held.length()).isEqualTo(expectedHeld);
        }
        assertThat(out.append(s.drain()).toString()).isEqualTo(text.toString());
        assertThat(s.drain()).isEmpty();
    }

    @Example
    void withoutStopStringsEveryDeltaPassesStraightThrough() {
        StopStrings s = new StopStrings(List.of());
        assertThat(s.append("abc")).isEqualTo("abc");
        assertThat(s.drain()).isEmpty();
        assertThat(s.matched()).isNull();
    }

    @Example
    void theEarliestStopWinsAndATieGoesToTheFirstListed() {
        StopStrings s = new StopStrings(List.of("cd", "bcd", "b"));
        assertThat(s.append("abcd")).isEqualTo("a");
        assertThat(s.matched()).isEqualTo("bcd");
    }
}
