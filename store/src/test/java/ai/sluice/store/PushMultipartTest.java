package ai.sluice.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Multipart push against a real S3 server (s3proxy): a file bigger than the part size goes up in
 * parts (S3's smallest, 5 MiB, so a few-MiB file makes several), and a part the server refuses
 * aborts the whole upload.
 */
class PushMultipartTest {
    private static final int MiB = 1 << 20;
    private static S3Server server;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3Server.start().bucket("uploads");
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private StoreConfig config() {
        return new StoreConfig(tmp.resolve("cache"), 0, 1 << 20, 4, StoreConfig.DEFAULT_HUB, null);
    }

    @Test
    void aFileBiggerThanOnePartGoesUpInPartsAndPullsBackVerified() throws Exception {
        byte[] model = Models.synthetic(11 * MiB + 5, 40); // parts of 5, 5 and 1 MiB + 5 bytes
        Path file = tmp.resolve("big.gguf");
        Files.write(file, model);
        Source.S3 dest = server.source("uploads", "m/big.gguf");
        RecordingProgress progress = new RecordingProgress();
        long partsBefore = server.partsUploaded.get();
        try (ModelStore store = new ModelStore(config(), Progress.silent())) {
            List<Pusher.Result> results = new Pusher(store, Pusher.MIN_PART_SIZE, 2).push(file, List.of(dest), "llama", "Q8_0", progress);
            assertThat(results).singleElement().satisfies(r -> assertThat(r.error()).isNull());
            assertThat(server.partsUploaded.get() - partsBefore).isEqualTo(3);
            assertThat(progress.notes).contains("uploading to " + dest + " in 3 parts of 5.0 MiB, 2 at a time",
                    "uploaded 3 of 3 parts to " + dest, "pushed and verified " + dest);
            // S3's multipart ETag: the MD5 of the parts' MD5s and the number of parts
            assertThat(server.etag("uploads", "m/big.gguf")).isEqualTo(FileDigests.of(file, Pusher.MIN_PART_SIZE).expectedEtag()).endsWith("-3");
            ModelStore.Pulled p = store.pull(dest, List.of(), "big", null);
            assertThat(Files.readAllBytes(p.file())).isEqualTo(model);
            assertThat(p.model().verifiedBy()).isEqualTo("manifest");
            assertThat(p.model().sha256()).isEqualTo(HubServer.sha256(model));
        }
    }

    @Test
    void aPartTheServerRefusesAbortsTheUploadAndLeavesNoObject() throws Exception {
        byte[] model = Models.synthetic(16 * MiB, 41); // 4 parts
        Path file = tmp.resolve("doomed.gguf");
        Files.write(file, model);
        Source.S3 dest = server.source("uploads", "m/doomed.gguf");
        server.failPartNumber = 3;
        try (ModelStore store = new ModelStore(config(), Progress.silent())) {
            RecordingProgress progress = new RecordingProgress();
            List<Pusher.Result> results = new Pusher(store, Pusher.MIN_PART_SIZE, 1).push(file, List.of(dest), null, null, progress);
            assertThat(results).singleElement().satisfies(r -> assertThat(r.error())
                    .startsWith("part 3 of 4 failed: " + server.endpoint() + " answered ")
                    .endsWith("; the multipart upload was aborted, nothing was written to " + dest));
            assertThat(progress.notes).anyMatch(n -> n.startsWith("push to " + dest + " failed: part 3 of 4"));
            assertThat(server.exists("uploads", "m/doomed.gguf")).isFalse();
            assertThat(server.exists("uploads", "m/doomed.gguf" + Manifest.SUFFIX)).isFalse();
            assertThat(server.openUploads("uploads")).isEmpty(); // aborted: no stored parts left behind
        } finally {
            server.failPartNumber = 0;
        }
    }

    @Test
    void partSizesStayWithinS3sLimits() {
        assertThat(Pusher.partSizeFor(8_500_000_000L, Pusher.DEFAULT_PART_SIZE)).isEqualTo(Pusher.DEFAULT_PART_SIZE);
        // 10,000 parts at most: a 1 TB file needs parts of 100 MB
        assertThat(Pusher.partSizeFor(1_000_000_000_000L, Pusher.DEFAULT_PART_SIZE)).isEqualTo(100_000_000L);
        assertThat(Pusher.partSizeFor(1_000_000_000_001L, Pusher.DEFAULT_PART_SIZE)).isEqualTo(100_000_001L);
        try (ModelStore store = new ModelStore(config(), Progress.silent())) {
            assertThatThrownBy(() -> new Pusher(store, Pusher.MIN_PART_SIZE - 1, 4))
                    .hasMessage("the upload part size must be in 5.0 MiB..5.0 GiB (S3's limits for a part), got 5.0 MiB");
            assertThatThrownBy(() -> new Pusher(store, Pusher.MAX_PART_SIZE + 1, 4)).hasMessageContaining("must be in 5.0 MiB..5.0 GiB");
            assertThatThrownBy(() -> new Pusher(store, Pusher.MIN_PART_SIZE, 0)).hasMessage("the upload concurrency must be in 1..32, got 0");
            assertThatThrownBy(() -> new Pusher(store, Pusher.MIN_PART_SIZE, 33)).hasMessage("the upload concurrency must be in 1..32, got 33");
        }
    }

    @Test
    void digestsCutTheFileIntoParts() throws Exception {
        byte[] bytes = Models.synthetic(10 * 4096, 42);
        Path file = tmp.resolve("d.bin");
        Files.write(file, bytes);
        FileDigests exact = FileDigests.of(file, 4096 * 5); // two whole parts, no empty third
        assertThat(exact.parts()).isEqualTo(2);
        assertThat(exact.partStart(1)).isEqualTo(4096 * 5);
        assertThat(exact.partEnd(1)).isEqualTo(bytes.length);
        assertThat(exact.sha256()).isEqualTo(HubServer.sha256(bytes));
        FileDigests ragged = FileDigests.of(file, 4096 * 3);
        assertThat(ragged.parts()).isEqualTo(4);
        assertThat(ragged.partEnd(3)).isEqualTo(bytes.length);
        assertThat(ragged.sha256()).isEqualTo(exact.sha256());
        FileDigests whole = FileDigests.of(file, Long.MAX_VALUE);
        assertThat(whole.parts()).isEqualTo(1);
        assertThat(whole.expectedEtag()).isEqualTo(java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("MD5").digest(bytes)));
        Path empty = tmp.resolve("empty.bin");
        Files.write(empty, new byte[0]);
        assertThat(FileDigests.of(empty, 4096).parts()).isEqualTo(1);
    }
}
