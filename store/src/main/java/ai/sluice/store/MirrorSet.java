package ai.sluice.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The mirrors of one model in order of preference, and which of them still work. A mirror that
 * fails permanently (not found, refused) or three times in a row is dropped; the transfer goes on
 * from the next one. A mirror whose size or published sha256 differs from the first one's holds a
 * different object and is dropped too, as is one that served bytes that failed the sha256 check
 * ({@link VerifiedTransfer}).
 */
final class MirrorSet {
    private static final int STRIKES = 3;

    private final List<Remote> mirrors;
    private final Remote.Probe reference;
    private final int[] strikes;
    private final boolean[] down;
    private final boolean[] probed;
    private final Map<String, String> reasons = new LinkedHashMap<>();
    private int current;

    /** {@code first} answered {@code reference}; the mirrors before it are already known to be down. */
    MirrorSet(List<Remote> mirrors, int first, Remote.Probe reference, Map<String, String> earlierFailures) {
        this.mirrors = List.copyOf(mirrors);
        this.reference = reference;
        this.strikes = new int[mirrors.size()];
        this.down = new boolean[mirrors.size()];
        this.probed = new boolean[mirrors.size()];
        for (int i = 0; i < first; i++) {
            down[i] = true;
        }
        probed[first] = true;
        this.current = first;
        reasons.putAll(earlierFailures);
    }

    /** The mirror to read from now; throws when none is left. */
    synchronized Remote current() throws Remote.SourceFailure {
        while (current < mirrors.size()) {
            if (!down[current]) {
                if (!probed[current]) {
                    probed[current] = true;
                    if (!agrees(current)) {
                        continue;
                    }
                }
                return mirrors.get(current);
            }
            current++;
        }
        throw new Remote.SourceFailure(summary(), true, null);
    }

    private boolean agrees(int i) {
        Remote m = mirrors.get(i);
        try {
            Remote.Probe p = m.probe();
            if (p.size() != reference.size()) {
                drop(i, "holds " + p.size() + " bytes, not " + reference.size());
                return false;
            }
            if (p.sha256() != null && reference.sha256() != null && !p.sha256().equals(reference.sha256())) {
                drop(i, "publishes sha256 " + p.sha256() + ", not " + reference.sha256());
                return false;
            }
            return true;
        } catch (Remote.SourceFailure f) {
            drop(i, f.getMessage());
            return false;
        }
    }

    /** {@code mirror} failed; returns true when it was dropped (the caller says so once). */
    synchronized boolean failed(Remote mirror, Remote.SourceFailure failure) {
        int i = mirrors.indexOf(mirror);
        if (down[i]) {
            return false;
        }
        strikes[i]++;
        if (failure.permanent() || strikes[i] >= STRIKES) {
            drop(i, failure.getMessage());
            return true;
        }
        return false;
    }

    synchronized void succeeded(Remote mirror) {
        strikes[mirrors.indexOf(mirror)] = 0;
    }

    synchronized int strikes(Remote mirror) {
        return strikes[mirrors.indexOf(mirror)];
    }

    /** Drops the mirror described as {@code described} (it gave bad bytes, say); the transfer goes on from the next. */
    synchronized void drop(String described, String reason) {
        for (int i = 0; i < mirrors.size(); i++) {
            if (mirrors.get(i).describe().equals(described) && !down[i]) {
                drop(i, reason);
            }
        }
    }

    /** Why each dropped mirror was dropped, in the order they were. */
    synchronized Map<String, String> reasons() {
        return new LinkedHashMap<>(reasons);
    }

    private void drop(int i, String reason) {
        down[i] = true;
        reasons.put(mirrors.get(i).describe(), reason);
        if (i == current) {
            current++;
        }
    }

    /** What the remaining mirrors are, for messages. */
    synchronized String next() {
        for (int i = current; i < mirrors.size(); i++) {
            if (!down[i]) {
                return mirrors.get(i).describe();
            }
        }
        return null;
    }

    synchronized String summary() {
        if (reasons.size() == 1) {
            return reasons.values().iterator().next();
        }
        List<String> parts = new ArrayList<>();
        reasons.forEach((m, r) -> parts.add(m + ": " + r));
        return "every mirror failed (" + String.join("; ", parts) + ")";
    }

    Remote.Probe reference() {
        return Objects.requireNonNull(reference);
    }
}
