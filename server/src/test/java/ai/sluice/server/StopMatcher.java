package ai.sluice.server;

import java.util.List;

/**
 * Finds stop strings in streamed text (for the scripted test engine; the real engine has its own). Text that could still turn out to be the start of a stop
 * string is held back, so a client never receives part of a stop string, even when it spans tokens.
 */
public final class StopMatcher {
    private final List<String> stops;
    private final StringBuilder pending = new StringBuilder();
    private boolean stopped;

    public StopMatcher(List<String> stops) {
        this.stops = stops;
    }

    /** Appends generated text; returns the text that is now safe to send (possibly empty). */
    public String push(String text) {
        if (stopped) {
            return "";
        }
        if (stops.isEmpty()) {
            return text;
        }
        pending.append(text);
        int cut = -1;
        for (String stop : stops) {
            int at = pending.indexOf(stop);
            if (at >= 0 && (cut < 0 || at < cut)) {
                cut = at;
            }
        }
        if (cut >= 0) {
            stopped = true;
            String out = pending.substring(0, cut);
            pending.setLength(0);
            return out;
        }
        int hold = heldBackLength();
        String out = pending.substring(0, pending.length() - hold);
        pending.delete(0, pending.length() - hold);
        return out;
    }

    /** True once a stop string was seen: the sequence is over and nothing more is sent. */
    public boolean stopped() {
        return stopped;
    }

    /** At the end of the sequence: the held-back text, which turned out not to be a stop string. */
    public String flush() {
        String out = pending.toString();
        pending.setLength(0);
        return out;
    }

    /** Length of the longest suffix of pending text that is a proper prefix of some stop string. */
    private int heldBackLength() {
        int best = 0;
        int len = pending.length();
        for (String stop : stops) {
            for (int k = Math.min(len, stop.length() - 1); k > best; k--) {
                if (endsWithPrefix(len - k, stop, k)) {
                    best = k;
                    break;
                }
            }
        }
        return best;
    }

    private boolean endsWithPrefix(int from, String stop, int k) {
        for (int i = 0; i < k; i++) {
            if (pending.charAt(from + i) != stop.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
