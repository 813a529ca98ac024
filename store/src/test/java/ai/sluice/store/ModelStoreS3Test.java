package ai.sluice.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store against real S3 servers (s3proxy) on loopback: mirrors, failures, resume, sharing, eviction, push. */
class ModelStoreS3Test {
    private static final int MiB = 1 << 20;
    private static S3Server main;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startServer() throws Exception {
        main = S3Server.start().bucket("models");
    }

    @AfterAll
    static void stopServer() {
        main.close();
    }

    private StoreConfig config() {
        return new StoreConfig(tmp.resolve("cache"), 0, 64 << 10, 4, StoreConfig.DEFAULT_HUB, null);
    }

    private static Map<String, String> shaMeta(byte[] bytes) {
        return Map.of("sha256", HubServer.sha256(bytes));
    }

    @Test
    void pullsVerifiesAndPublishesOnlyTheFinishedFile() throws Exception {
        byte[] model = Models.synthetic(3 * MiB + 123, 1);
        main.put("models", "a/tiny.gguf", model, shaMeta(model));
        try (ModelStore store = new ModelStore(config(), Progress.silent())) {
            ModelStore.Pulled p = store.pull(main.source("models", "a/tiny.gguf"), List.of(), null, null);
            assertThat(p.downloaded()).isTrue();
            assertThat(p.model().name()).isEqualTo("tiny");
            assertThat(p.model().verifiedBy()).isEqualTo("object metadata");
            assertThat(Files.readAllBytes(p.file())).isEqualTo(model);
            assertThat(Models.files(store.cache().dir(), "partial")).isEmpty();
            assertThat(store.cache().list()).singleElement().satisfies(l -> {
                assertThat(l.model().sha256()).isEqualTo(HubServer.sha256(model));
                assertThat(l.model().source()).startsWith("s3://models/a/tiny.gguf?endpoint=");
                assertThat(l.pinned()).isFalse();
            });
            long asked = main.bytesAsked.get();
            ModelStore.Pulled again = store.pull(main.source("models", "a/tiny.gguf"), List.of(), null, null);
            assertThat(again.downloaded()).isFalse();
            assertThat(main.bytesAsked.get()).isEqualTo(asked);
            // a cached NAME is a source too
            assertThat(store.pull(Source.parse("tiny"), List.of(), null, null).file()).isEqualTo(p.file());
        }
    }

    @Test
    void failsOverFromAMirrorThatIsDown() throws Exception {
        byte[] model = Models.synthetic(MiB, 2);
        main.put("models", "down.gguf", model, shaMeta(model));
        S3Server dead = S3Server.start().bucket("models");
        dead.put("models", "down.gguf", model, shaMeta(model));
        dead.close();
        RecordingProgress progress = new RecordingProgress();
        try (ModelStore store = new ModelStore(config(), progress)) {
            ModelStore.Pulled p = store.pull(dead.source("models", "down.gguf"), List.of(main.source("models", "down.gguf")), null, null);
            assertThat(Files.readAllBytes(p.file())).isEqualTo(model);
            assertThat(p.perSource()).containsOnlyKeys(main.source("models", "down.gguf").toString());
            assertThat(progress.notes).anyMatch(n -> n.contains("mirror " + dead.source("models", "down.gguf") + " failed"));
        }
    }

    @Test
    void aCachedModelStillServesWhenItsSourceIsGone() throws Exception {
        byte[] model = Models.synthetic(MiB, 8);
        S3Server lonely = S3Server.start().bucket("models");
        lonely.put("models", "cached.gguf", model, shaMeta(model));
        RecordingProgress progress = new RecordingProgress();
        try (ModelStore store = new ModelStore(config(), progress)) {
            ModelStore.Pulled first = store.pull(lonely.source("models", "cached.gguf"), List.of(), null, null);
            lonely.close();
            ModelStore.Resolved again = store.resolve(lonely.source("models", "cached.gguf"), List.of());
            assertThat(again.file()).isEqualTo(first.file());
            assertThat(Files.readAllBytes(again.file())).isEqualTo(model);
            assertThat(store.cache().isPinned("cached")).isTrue();
            again.close();
            assertThat(store.cache().isPinned("cached")).isFalse();
            assertThat(progress.notes).anyMatch(n -> n.startsWith("cannot check " + lonely.source("models", "cached.gguf"))
                    && n.contains("using the cached copy, sha256 " + HubServer.sha256(model)));
        } finally {
            lonely.close();
        }
    }

    @Test
    void aMirrorThatDiesMidTransferHandsOverFromTheBytesAlreadyHere() throws Exception {
        byte[] model = Models.synthetic(4 * MiB, 3);
        S3Server dying = S3Server.start().bucket("models");
        dying.put("models", "mid.gguf", model, shaMeta(model));
        main.put("models", "mid.gguf", model, shaMeta(model));
        dying.getDelayMs = 10;
        AtomicBoolean stopped = new AtomicBoolean();
        RecordingProgress progress = new RecordingProgress(done -> {
            if (done > model.length * 3L / 10 && stopped.compareAndSet(false, true)) {
                Thread.ofPlatform().start(dying::stop);
            }
        });
        try (ModelStore store = new ModelStore(config(), progress)) {
            ModelStore.Pulled p = store.pull(dying.source("models", "mid.gguf"), List.of(main.source("models", "mid.gguf")), null, null);
            assertThat(Files.readAllBytes(p.file())).isEqualTo(model);
            long fromDying = p.perSource().getOrDefault(dying.source("models", "mid.gguf").toString(), 0L);
            long fromMain = p.perSource().getOrDefault(main.source("models", "mid.gguf").toString(), 0L);
            assertThat(fromDying).isGreaterThan(model.length * 3L / 10);
            assertThat(fromMain).isPositive().isLessThan(model.length * 7L / 10 + 1);
            assertThat(fromDying + fromMain).isEqualTo(model.length); // no byte fetched twice
            assertThat(progress.notes).anyMatch(n -> n.contains("going on from " + main.source("models", "mid.gguf")));
        } finally {
            dying.close();
        }
    }

    @Test
    void aCorruptedObjectFailsClearlyAndLeavesNothingBehind() throws Exception {
        byte[] model = Models.synthetic(MiB, 4);
        byte[] corrupted = model.clone();
        corrupted[MiB / 2] ^= 1;
        main.put("models", "bad.gguf", corrupted, shaMeta(model));
        try (ModelStore store = new ModelStore(config(), Progress.silent())) {
            assertThatThrownBy(() -> store.pull(main.source("models", "bad.gguf"), List.of(), null, null))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("sha256 mismatch for bad")
                    .hasMessageContaining("expected " + HubServer.sha256(model) + " (object metadata)")
                    .hasMessageContaining("got " + HubServer.sha256(corrupted))
                    .hasMessageContaining("the download was deleted");
            assertThat(Models.files(store.cache().dir(), "partial")).isEmpty();
            assertThat(Models.files(store.cache().dir(), "models")).isEmpty();
        }
    }

    @Test
    void anInterruptedTransferResumesWithThePartsItHad() throws Exception {
        byte[] model = Models.synthetic(4 * MiB, 5);
        main.put("models", "resume.gguf", model, shaMeta(model));
        RecordingProgress cancelling = new RecordingProgress(done -> {
            if (done > model.length * 4L / 10) {
                throw new IllegalStateException("cancelled by the test");
            }
        });
        try (ModelStore store = new ModelStore(config(), cancelling)) {
            assertThatThrownBy(() -> store.pull(main.source("models", "resume.gguf"), List.of(), null, null))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("interrupted (cancelled by the test)")
                    .hasMessageContaining("run the same pull again to resume");
            assertThat(Models.files(store.cache().dir(), "models")).isEmpty(); // nothing under the final name
            assertThat(Models.files(store.cache().dir(), "partial")).containsExactly("resume.part", "resume.part.journal", "resume.reserve");
        }
        long askedBefore = main.bytesAsked.get();
        RecordingProgress progress = new RecordingProgress();
        try (ModelStore store = new ModelStore(config(), progress)) {
            ModelStore.Pulled p = store.pull(main.source("models", "resume.gguf"), List.of(), null, null);
            assertThat(Files.readAllBytes(p.file())).isEqualTo(model);
            assertThat(p.resumed()).isGreaterThanOrEqualTo(model.length * 3L / 10);
            assertThat(p.fetched() + p.resumed()).isEqualTo(model.length);
            assertThat(main.bytesAsked.get() - askedBefore).isEqualTo(p.fetched() + 4); // + the GGUF magic check
            assertThat(progress.notes).anyMatch(n -> n.startsWith("started resume resumed=" + p.resumed()));
        }
    }

    @Test
    void twoPullsInOneProcessShareOneDownload() throws Exception {
        byte[] model = Models.synthetic(2 * MiB, 6);
        main.put("models", "shared.gguf", model, shaMeta(model));
        main.getDelayMs = 20;
        long before = main.bytesAsked.get();
        try (ModelStore store = new ModelStore(config(), Progress.silent())) {
            var one = CompletableFuture.supplyAsync(() -> store.pull(main.source("models", "shared.gguf"), List.of(), null, null));
            var two = CompletableFuture.supplyAsync(() -> store.pull(main.source("models", "shared.gguf"), List.of(), null, null));
            List<ModelStore.Pulled> both = List.of(one.join(), two.join());
            assertThat(both).filteredOn(ModelStore.Pulled::downloaded).hasSize(1);
            assertThat(main.bytesAsked.get() - before).isEqualTo(model.length + 4);
            assertThat(both.get(0).model().sha256()).isEqualTo(both.get(1).model().sha256());
        } finally {
            main.getDelayMs = 0;
        }
    }

    @Test
    void twoStoresInOneProcessShareOneDownloadToo() throws Exception {
        byte[] model = Models.synthetic(MiB, 9);
        main.put("models", "two-stores.gguf", model, shaMeta(model));
        main.getDelayMs = 20;
        long before = main.bytesAsked.get();
        try (ModelStore one = new ModelStore(config(), Progress.silent()); ModelStore two = new ModelStore(config(), Progress.silent())) {
            var a = CompletableFuture.supplyAsync(() -> one.pull(main.source("models", "two-stores.gguf"), List.of(), null, null));
            var b = CompletableFuture.supplyAsync(() -> two.pull(main.source("models", "two-stores.gguf"), List.of(), null, null));
            assertThat(List.of(a.join(), b.join())).filteredOn(ModelStore.Pulled::downloaded).hasSize(1);
            assertThat(main.bytesAsked.get() - before).isEqualTo(model.length + 4);
        } finally {
            main.getDelayMs = 0;
        }
    }

    @Test
    void twoProcessesPullingOneModelShareOneDownload() throws Exception {
        byte[] model = Models.synthetic(2 * MiB, 7);
        main.put("models", "procs.gguf", model, shaMeta(model));
        main.getDelayMs = 40;
        long before = main.bytesAsked.get();
        String source = main.source("models", "procs.gguf").toString();
        String cache = tmp.resolve("cache").toString();
        try {
            Process p1 = StoreProcess.start("pull", cache, source, "procs");
            Process p2 = StoreProcess.start("pull", cache, source, "procs");
            String out1 = StoreProcess.output(p1);
            String out2 = StoreProcess.output(p2);
            assertThat(List.of(out1, out2)).allMatch(o -> o.startsWith("pulled ") && o.endsWith("sha256=" + HubServer.sha256(model)));
            assertThat(List.of(out1, out2)).filteredOn(o -> o.contains("downloaded=true")).hasSize(1);
            assertThat(main.bytesAsked.get() - before).isEqualTo(model.length + 4);
        } finally {
            main.getDelayMs = 0;
        }
    }

    @Test
    void evictsTheLeastRecentlyUsedModelButNeverAPinnedOne() throws Exception {
        for (int i = 1; i <= 4; i++) {
            byte[] m = Models.synthetic(MiB, 10 + i);
            main.put("models", "m" + i + ".gguf", m, shaMeta(m));
        }
        byte[] big = Models.synthetic(3 * MiB, 20);
        main.put("models", "big.gguf", big, shaMeta(big));
        StoreConfig config = config().withCapacity(5L * MiB / 2);
        try (ModelStore store = new ModelStore(config, Progress.silent())) {
            store.pull(main.source("models", "m1.gguf"), List.of(), null, null);
            Thread.sleep(5);
            store.pull(main.source("models", "m2.gguf"), List.of(), null, null);
            Process pinner = StoreProcess.start("pin", config.cacheDir().toString(), "m1");
            try {
                assertThat(new String(pinner.getInputStream().readNBytes("pinned m1".length()))).isEqualTo("pinned m1");
                assertThat(store.cache().isPinned("m1")).isTrue();
                // m1 is the least recently used (the pin touched it, so make it older again by using m2)
                store.pull(Source.parse("m2"), List.of(), null, null);
                RecordingProgress progress = new RecordingProgress();
                try (ModelStore observed = new ModelStore(config, progress)) {
                    observed.pull(main.source("models", "m3.gguf"), List.of(), null, null);
                }
                assertThat(names(store)).containsExactlyInAnyOrder("m1", "m3");
                assertThat(progress.notes).anyMatch(n -> n.startsWith("evicted m2"));
                assertThatThrownBy(() -> store.cache().remove("m1")).hasMessageContaining("in use by a running process (pinned)");
                assertThatThrownBy(() -> store.pull(main.source("models", "big.gguf"), List.of(), null, null))
                        .hasMessageContaining("'big' is 3.0 MiB but the cache tier holds at most 2.5 MiB");
            } finally {
                try (OutputStream stdin = pinner.getOutputStream()) {
                    stdin.flush();
                }
                pinner.waitFor();
            }
            assertThat(store.cache().isPinned("m1")).isFalse();
            store.pull(main.source("models", "m4.gguf"), List.of(), null, null);
            assertThat(names(store)).containsExactlyInAnyOrder("m3", "m4");
        }
    }

    @Test
    void anInterruptedDownloadKeepsItsRoomUntilItResumes() throws Exception {
        byte[] a = Models.synthetic(MiB, 50);
        byte[] b = Models.synthetic(MiB, 51);
        main.put("models", "room-a.gguf", a, shaMeta(a));
        main.put("models", "room-b.gguf", b, shaMeta(b));
        StoreConfig config = config().withCapacity(3L * MiB / 2);
        RecordingProgress cancelling = new RecordingProgress(done -> {
            if (done > MiB / 2) {
                throw new IllegalStateException("cancelled by the test");
            }
        });
        try (ModelStore store = new ModelStore(config, cancelling)) {
            assertThatThrownBy(() -> store.pull(main.source("models", "room-a.gguf"), List.of(), null, null))
                    .hasMessageContaining("interrupted");
        }
        try (ModelStore store = new ModelStore(config, Progress.silent())) {
            assertThatThrownBy(() -> store.pull(main.source("models", "room-b.gguf"), List.of(), null, null))
                    .hasMessageContaining("no room for 'room-b' (1.0 MiB): the cache holds 1.0 MiB of 1.5 MiB, "
                            + "1.0 MiB of it for other downloads in progress or interrupted");
            assertThat(store.pull(main.source("models", "room-a.gguf"), List.of(), null, null).resumed()).isPositive();
            assertThat(Models.files(store.cache().dir(), "partial")).isEmpty();
        }
    }

    private static List<String> names(ModelStore store) {
        return store.cache().list().stream().map(l -> l.model().name()).toList();
    }

    @Test
    void pushesToTwoBucketsThenPullsWithOneGone() throws Exception {
        byte[] model = Models.synthetic(MiB + 7, 30);
        Path file = tmp.resolve("pushed.gguf");
        Files.write(file, model);
        S3Server other = S3Server.start().bucket("replica");
        main.bucket("primary");
        Source.S3 first = other.source("replica", "m/pushed.gguf");
        Source.S3 second = main.source("primary", "m/pushed.gguf");
        try (ModelStore store = new ModelStore(config(), Progress.silent())) {
            List<Pusher.Result> results = new Pusher(store).push(file, List.of(first, second), "llama", "Q8_0", Progress.silent());
            assertThat(results).allMatch(Pusher.Result::ok);
            assertThat(other.exists("replica", "m/pushed.gguf.manifest.json")).isTrue();
            assertThat(main.exists("primary", "m/pushed.gguf.manifest.json")).isTrue();
            List<Pusher.Result> missing = new Pusher(store).push(file, List.of(main.source("nobucket", "x.gguf")), null, null, Progress.silent());
            assertThat(missing.getFirst().error()).contains("bucket 'nobucket' does not exist");
            other.close(); // one copy gone
            ModelStore.Pulled p = store.pull(first, List.of(second), null, null);
            assertThat(Files.readAllBytes(p.file())).isEqualTo(model);
            assertThat(p.model().verifiedBy()).isEqualTo("manifest");
        } finally {
            other.close();
        }
    }

    @Test
    void badInputIsOneLineThatSaysWhatToDo() throws Exception {
        main.put("models", "notes.gguf", "hello, not a model at all".getBytes(), Map.of());
        try (ModelStore store = new ModelStore(config(), Progress.silent())) {
            assertThatThrownBy(() -> store.pull(main.source("models", "nothing-here.gguf"), List.of(), null, null))
                    .hasMessageContaining("s3://models/nothing-here.gguf not found at " + main.endpoint())
                    .hasMessageContaining("check the bucket and key");
            assertThatThrownBy(() -> store.pull(main.source("models", "notes.gguf"), List.of(), null, null))
                    .hasMessageContaining("is not a GGUF model (it starts with 'hell', not 'GGUF')");
            assertThatThrownBy(() -> store.pull(Source.parse("never-pulled"), List.of(), null, null))
                    .hasMessageContaining("no model named 'never-pulled' in the cache").hasMessageContaining("sluice pull SOURCE --name never-pulled");
            assertThatThrownBy(() -> store.resolve(Source.parse("/no/such/model.gguf"), List.of()))
                    .hasMessageContaining("no such model file: /no/such/model.gguf");
            assertThat(Models.files(store.cache().dir(), "models")).isEmpty();
            assertThat(Models.files(store.cache().dir(), "partial")).isEmpty();
        }
        String secret = System.getProperty("aws.secretAccessKey");
        System.setProperty("aws.secretAccessKey", "wrong");
        try (ModelStore store = new ModelStore(config(), Progress.silent())) {
            assertThatThrownBy(() -> store.pull(main.source("models", "notes.gguf"), List.of(), null, null))
                    .hasMessageContaining(main.endpoint() + " refused the credentials for s3://models/notes.gguf")
                    .hasMessageContaining("AWS_ACCESS_KEY_ID");
        } finally {
            System.setProperty("aws.secretAccessKey", secret);
        }
        assertThat(Models.files(tmp.resolve("cache"), "partial")).isEmpty();
    }
}
