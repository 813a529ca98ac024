package ai.sluice.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs {@link Transfer}s until the bytes match the sha256 they must have. A sha256 is over the whole
 * file, so a mismatch blames every mirror that served bytes in that run: they are dropped, the
 * partial file is thrown away and fetched again from the next mirror. The pull fails only when no
 * mirror is left; then the message names what each mirror gave. A mismatch in a resumed download
 * blames nobody (the earlier run's bytes have no known source): it is fetched once more from scratch.
 */
final class VerifiedTransfer {
    private final MirrorSet mirrors;
    private final int mirrorCount;
    private final ModelCache cache;
    private final String name;
    private final StoreConfig config;
    private final Progress progress;

    VerifiedTransfer(MirrorSet mirrors, int mirrorCount, ModelCache cache, String name, StoreConfig config, Progress progress) {
        this.mirrors = mirrors;
        this.mirrorCount = mirrorCount;
        this.cache = cache;
        this.name = name;
        this.config = config;
        this.progress = progress;
    }

    /**
     * @param want       the sha256 the bytes must have; null: whatever arrives is taken
     * @param verifiedBy where {@code want} came from, for messages
     * @param source     the source as the user gave it, for messages
     */
    Transfer.Outcome run(String want, String verifiedBy, String source) throws IOException {
        Path partial = cache.partialFile(name);
        Map<String, Long> perSource = new HashMap<>();
        Map<String, String> badBytes = new LinkedHashMap<>(); // mirror -> the sha256 of what it gave
        long fetched = 0;
        long resumed = -1;
        while (true) {
            Transfer.Outcome round = new Transfer(mirrors, partial, config.partSize(), config.concurrency(), progress).run(name);
            fetched += round.fetched();
            if (resumed < 0) {
                resumed = round.resumed();
            }
            round.perSource().forEach((m, n) -> perSource.merge(m, n, Long::sum));
            if (want == null || want.equals(round.sha256())) {
                return new Transfer.Outcome(round.sha256(), fetched, resumed, Map.copyOf(perSource));
            }
            if (round.resumed() > 0) {
                cache.restartPartial(name);
                progress.note("sha256 mismatch for " + name + " (got " + round.sha256() + ", expected " + want + " from " + verifiedBy
                        + ") in a download resumed from an earlier run; fetching all of it again");
                continue;
            }
            List<String> blamed = new ArrayList<>(round.perSource().keySet());
            for (String m : blamed) {
                badBytes.put(m, round.sha256());
                mirrors.drop(m, "gave bytes whose sha256 is " + round.sha256() + ", not " + want + " (" + verifiedBy + ")");
            }
            String next = mirrors.next();
            if (next == null) {
                cache.discardPartial(name);
                throw new StoreException(allBad(want, verifiedBy, source, badBytes));
            }
            cache.restartPartial(name);
            progress.note("sha256 mismatch for " + name + ": " + String.join(" and ", blamed) + " gave bytes whose sha256 is "
                    + round.sha256() + ", not " + want + " (" + verifiedBy + "); dropped " + (blamed.size() == 1 ? "it" : "them")
                    + ", fetching again from " + next);
        }
    }

    private String allBad(String want, String verifiedBy, String source, Map<String, String> badBytes) {
        String advice = "; the download was deleted. ";
        if (mirrorCount == 1) {
            return "sha256 mismatch for " + name + " from " + source + ": expected " + want + " (" + verifiedBy + "), got "
                    + badBytes.values().iterator().next() + advice
                    + "The stored object is corrupt or was replaced: push it again or pull from another mirror";
        }
        List<String> gave = new ArrayList<>();
        badBytes.forEach((m, sha) -> gave.add(m + " gave " + sha));
        List<String> others = new ArrayList<>();
        mirrors.reasons().forEach((m, r) -> {
            if (!badBytes.containsKey(m)) {
                others.add(m + ": " + r);
            }
        });
        return "sha256 mismatch for " + name + ": expected " + want + " (" + verifiedBy + "), but "
                + (others.isEmpty() ? "every mirror gave other bytes (" : "")
                + String.join("; ", gave) + (others.isEmpty() ? ")" : ", and no other mirror is left (" + String.join("; ", others) + ")")
                + advice + "The stored copies are corrupt or were replaced: push the model again";
    }
}
