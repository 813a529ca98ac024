package ai.sluice.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mirrors that serve bad bytes (bit rot, a broken copy) under the right published sha256, in two
 * buckets of a real S3 server (s3proxy): the pull drops such a mirror and fetches again from the next.
 */
class CorruptMirrorTest {
    private static final int MiB = 1 << 20;
    private static S3Server server;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3Server.start().bucket("rotten").bucket("sound");
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private StoreConfig config() {
        return new StoreConfig(tmp.resolve("cache"), 0, 64 << 10, 4, StoreConfig.DEFAULT_HUB, null);
    }

    private static byte[] flipped(byte[] model, int at) {
        byte[] b = model.clone();
        b[at] ^= 1;
        return b;
    }

    @Test
    void aMirrorWithBadBytesIsDroppedAndTheModelFetchedFromTheNext() throws Exception {
        byte[] model = Models.synthetic(MiB, 60);
        byte[] rotten = flipped(model, MiB / 3);
        Map<String, String> sha = Map.of("sha256", HubServer.sha256(model));
        server.put("rotten", "m.gguf", rotten, sha);
        server.put("sound", "m.gguf", model, sha);
        Source.S3 bad = server.source("rotten", "m.gguf");
        Source.S3 good = server.source("sound", "m.gguf");
        RecordingProgress progress = new RecordingProgress();
        try (ModelStore store = new ModelStore(config(), progress)) {
            ModelStore.Pulled p = store.pull(bad, List.of(good), null, null);
            assertThat(Files.readAllBytes(p.file())).isEqualTo(model);
            assertThat(p.model().verifiedBy()).isEqualTo("object metadata");
            assertThat(p.perSource()).containsExactlyInAnyOrderEntriesOf(Map.of(bad.toString(), (long) MiB, good.toString(), (long) MiB));
            assertThat(p.fetched()).isEqualTo(2L * MiB);
            assertThat(progress.notes).contains("sha256 mismatch for m: " + bad + " gave bytes whose sha256 is " + HubServer.sha256(rotten)
                    + ", not " + HubServer.sha256(model) + " (object metadata); dropped it, fetching again from " + good);
            assertThat(progress.notes).filteredOn(n -> n.startsWith("started m ")).containsExactly(
                    "started m resumed=0 from " + bad, "started m resumed=0 from " + good);
            assertThat(Models.files(store.cache().dir(), "partial")).isEmpty();
        }
    }

    @Test
    void whenEveryMirrorGivesBadBytesThePullFailsNamingEach() throws Exception {
        byte[] model = Models.synthetic(MiB, 61);
        byte[] rotten = flipped(model, 100);
        byte[] alsoRotten = flipped(model, MiB - 1);
        Map<String, String> sha = Map.of("sha256", HubServer.sha256(model));
        server.put("rotten", "both.gguf", rotten, sha);
        server.put("sound", "both.gguf", alsoRotten, sha);
        Source.S3 first = server.source("rotten", "both.gguf");
        Source.S3 second = server.source("sound", "both.gguf");
        try (ModelStore store = new ModelStore(config(), Progress.silent())) {
            assertThatThrownBy(() -> store.pull(first, List.of(second), null, null))
                    .isInstanceOf(StoreException.class)
                    .hasMessage("sha256 mismatch for both: expected " + HubServer.sha256(model) + " (object metadata), but every mirror "
                            + "gave other bytes (" + first + " gave " + HubServer.sha256(rotten) + "; " + second + " gave "
                            + HubServer.sha256(alsoRotten) + "); the download was deleted. The stored copies are corrupt or were "
                            + "replaced: push the model again");
            assertThat(Models.files(store.cache().dir(), "partial")).isEmpty();
            assertThat(Models.files(store.cache().dir(), "models")).isEmpty();
        }
    }

    @Test
    void aResumedDownloadThatDoesNotVerifyIsFetchedAgainFromScratch() throws Exception {
        byte[] model = Models.synthetic(MiB, 62);
        server.put("sound", "resumed.gguf", model, Map.of("sha256", HubServer.sha256(model)));
        Source.S3 source = server.source("sound", "resumed.gguf");
        RecordingProgress cancelling = new RecordingProgress(done -> {
            if (done > MiB / 2) {
                throw new IllegalStateException("cancelled by the test");
            }
        });
        try (ModelStore store = new ModelStore(config(), cancelling)) {
            assertThatThrownBy(() -> store.pull(source, List.of(), null, null)).hasMessageContaining("interrupted");
        }
        // the disk damaged a part the journal counts as finished
        List<String> journal = Files.readAllLines(tmp.resolve("cache/partial/resumed.part.journal"));
        long at = Long.parseLong(journal.get(1)) * config().partSize() + 10;
        try (RandomAccessFile f = new RandomAccessFile(tmp.resolve("cache/partial/resumed.part").toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 1);
        }
        RecordingProgress progress = new RecordingProgress();
        try (ModelStore store = new ModelStore(config(), progress)) {
            ModelStore.Pulled p = store.pull(source, List.of(), null, null);
            assertThat(Files.readAllBytes(p.file())).isEqualTo(model);
            assertThat(p.resumed()).isPositive();
            assertThat(p.fetched()).isEqualTo(MiB + MiB - p.resumed());
            assertThat(progress.notes).anyMatch(n -> n.startsWith("sha256 mismatch for resumed (got ")
                    && n.endsWith(") in a download resumed from an earlier run; fetching all of it again"));
            assertThat(Models.files(store.cache().dir(), "partial")).isEmpty();
        }
    }
}
