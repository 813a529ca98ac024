package ai.sluice.engine;

import java.util.List;

/**
 * The text of one generation as it streams, with stop strings found across token boundaries.
 * Text that could still be the start of a stop string is held back until it cannot; a match ends
 * the text just before the stop string (which is never emitted).
 *
 * <p>Only the held-back part is kept, so memory stays bounded by the longest stop string.
 */
final class StopStrings {
    private final List<String> stops;
    private final int longest;
    /** Text not emitted yet: a suffix that may be the start of a stop string. */
    private final StringBuilder held = new StringBuilder();
    private String matched;

    StopStrings(List<String> stops) {
        this.stops = stops;
        int max = 0;
        for (String s : stops) {
            max = Math.max(max, s.length());
        }
        this.longest = max;
    }

    /** Adds newly decoded text; returns the text that is now final (possibly empty). */
    String append(String delta) {
        return append(delta, true);
    }

    /**
     * Adds newly decoded text; returns the text that is now final (possibly empty). With {@code check}
     * false (a token min_tokens protects) no stop string can end the text here; the text that may
     * start one is still held back, since a stop string that ends in a later, checked delta counts
     * (vLLM's rule: only matches that end in the new text are looked for).
     */
    String append(String delta, boolean check) {
        if (stops.isEmpty()) {
            return delta;
        }
        int before = held.length();
        held.append(delta);
        int earliest = -1;
        for (int i = 0; check && i < stops.size(); i++) {
            String stop = stops.get(i);
            int at = held.indexOf(stop, Math.max(0, before - stop.length() + 1)); // a match ending in delta
            if (at >= 0 && (earliest < 0 || at < earliest)) {
                earliest = at;
                matched = stop;
            }
        }
        if (earliest >= 0) {
            String out = held.substring(0, earliest);
            held.setLength(0);
            return out;
        }
        int keep = longestStopPrefixSuffix();
        int cut = held.length() - keep;
        String out = held.substring(0, cut);
        held.delete(0, cut);
        return out;
    }

    /** The stop string found by the last {@link #append}, or null. */
    String matched() {
        return matched;
    }

    /** At the end of the generation: the held text, which turned out not to start a stop string. */
    String drain() {
        String out = held.toString();
        held.setLength(0);
        return out;
    }

    /** Length of the longest suffix of {@code held} that is a proper prefix of some stop string. */
    private int longestStopPrefixSuffix() {
        int n = held.length();
        for (int k = Math.min(longest - 1, n); k > 0; k--) {
            for (int i = 0; i < stops.size(); i++) {
                String s = stops.get(i);
                if (s.length() > k && regionMatches(n - k, s, k)) {
                    return k;
                }
            }
        }
        return 0;
    }

    private boolean regionMatches(int from, String s, int k) {
        for (int i = 0; i < k; i++) {
            if (held.charAt(from + i) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
