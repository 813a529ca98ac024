package ai.sluice.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local tier on its own: entries, eviction order, reservations, pins and locks within one process. */
class ModelCacheTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path tmp;

    private ModelCache cache(long capacity) {
        return new ModelCache(tmp.resolve("cache"), capacity);
    }

    /** A published model of {@code size} bytes last used {@code minutes} after T0. */
    private static CachedModel put(ModelCache cache, String name, int size, int minutes) throws Exception {
        Path partial = cache.partialFile(name);
        Files.write(partial, new byte[size]);
        Files.writeString(Journal.pathFor(partial), "journal\n");
        Files.writeString(partial.resolveSibling(name + ".reserve"), Integer.toString(size));
        CachedModel m = new CachedModel(name, size, "00".repeat(32), "manifest", "s3://b/" + name + ".gguf", List.of(),
                T0, T0.plusSeconds(60L * minutes));
        return cache.publish(partial, m);
    }

    private static List<String> names(ModelCache cache) {
        return cache.list().stream().map(l -> l.model().name()).toList();
    }

    @Test
    void publishingMovesTheFileRecordsItAndClearsTheDownloadsBookkeeping() throws Exception {
        ModelCache cache = cache(0);
        CachedModel m = put(cache, "one", 100, 0);
        assertThat(cache.find("one")).contains(m);
        assertThat(Files.size(cache.modelFile("one"))).isEqualTo(100);
        assertThat(Models.files(cache.dir(), "partial")).isEmpty();
        assertThat(Models.files(cache.dir(), "models")).containsExactly("one.gguf", "one.json");
        assertThat(cache.list()).singleElement().satisfies(l -> {
            assertThat(l.file()).isEqualTo(cache.modelFile("one"));
            assertThat(l.pinned()).isFalse();
        });
    }

    @Test
    void listsMostRecentlyUsedFirstAndTouchMovesAModelUp() throws Exception {
        ModelCache cache = cache(0);
        put(cache, "old", 10, 1);
        put(cache, "new", 10, 3);
        CachedModel mid = put(cache, "mid", 10, 2);
        assertThat(names(cache)).containsExactly("new", "mid", "old");
        cache.touch(mid);
        assertThat(names(cache)).containsExactly("mid", "new", "old");
        assertThat(cache.find("mid").orElseThrow().lastUsed()).isAfter(T0.plusSeconds(180));
    }

    @Test
    void anEntryWithoutItsFileOrUnreadableIsNoModel() throws Exception {
        ModelCache cache = cache(0);
        put(cache, "gone", 10, 0);
        Files.delete(cache.modelFile("gone"));
        put(cache, "garbled", 10, 0);
        Files.writeString(cache.dir().resolve("models/garbled.json"), "{not json");
        assertThat(cache.find("gone")).isEmpty();
        assertThat(cache.find("garbled")).isEmpty();
        assertThat(cache.list()).isEmpty();
        assertThat(cache.find("never")).isEmpty();
    }

    @Test
    void evictsOldestUseFirstAndOnlyAsManyAsTheNewModelNeeds() throws Exception {
        ModelCache cache = cache(1000);
        put(cache, "b", 300, 2);
        put(cache, "a", 300, 1);
        put(cache, "c", 300, 3);
        RecordingProgress progress = new RecordingProgress();
        cache.reserve("new", 350, 0, progress); // 900 + 350 > 1000: one model must go, the least recently used
        assertThat(names(cache)).containsExactly("c", "b");
        assertThat(progress.notes).singleElement().satisfies(n -> assertThat(n)
                .isEqualTo("evicted a (300 B, last used " + T0.plusSeconds(60) + ") to make room for new"));
        assertThat(Files.readString(cache.dir().resolve("partial/new.reserve"))).isEqualTo("350");
        // exactly full is full enough: 600 + 350 + 50 = 1000
        cache.reserve("fits", 50, 0, progress);
        assertThat(names(cache)).containsExactly("c", "b");
    }

    @Test
    void aPinnedModelIsPassedOverAndNamedWhenThereIsStillNoRoom() throws Exception {
        ModelCache cache = cache(1000);
        put(cache, "pinned", 400, 1);
        put(cache, "loose", 400, 2);
        try (ModelCache.Pin pin = cache.pin("pinned")) {
            // the pin counts as a use: make "pinned" the oldest again
            cache.touch(cache.find("loose").orElseThrow());
            RecordingProgress progress = new RecordingProgress();
            assertThatThrownBy(() -> cache.reserve("big", 700, 0, progress))
                    .hasMessage("no room for 'big' (700 B): the cache holds 400 B of 1000 B, the models left in use (pinned: pinned); "
                            + "wait for them, stop what uses the models, or raise --cache-capacity");
            assertThat(progress.notes).singleElement().satisfies(n -> assertThat(n).startsWith("evicted loose (400 B"));
            assertThat(names(cache)).containsExactly("pinned");
            assertThat(pin.name()).isEqualTo("pinned");
        }
    }

    @Test
    void otherDownloadsReservationsCountButTheModelsOwnAndUnreadableOnesDoNot() throws Exception {
        ModelCache cache = cache(1000);
        Path partial = cache.dir().resolve("partial");
        Files.writeString(partial.resolve("other.reserve"), "600");
        Files.writeString(partial.resolve("torn.reserve"), "12x");
        Files.writeString(partial.resolve("mine.reserve"), "900"); // an earlier, interrupted pull of the same model
        cache.reserve("mine", 400, 100, Progress.silent());
        assertThatThrownBy(() -> cache.reserve("third", 1, 0, Progress.silent()))
                .hasMessage("no room for 'third' (1 B): the cache holds 1000 B of 1000 B, 1000 B of it for other downloads in progress "
                        + "or interrupted; wait for them, stop what uses the models, or raise --cache-capacity");
        cache.discardPartial("mine");
        cache.reserve("third", 400, 0, Progress.silent());
    }

    @Test
    void aModelReplacedByANewCopyDoesNotCountAgainstItself() throws Exception {
        ModelCache cache = cache(1000);
        put(cache, "m", 800, 1);
        cache.reserve("m", 900, 0, Progress.silent());
        assertThat(names(cache)).containsExactly("m");
    }

    @Test
    void aModelBiggerThanTheTierOrTheDiskIsRefusedBeforeAnyByteMoves() throws Exception {
        assertThatThrownBy(() -> cache(1000).reserve("huge", 1001, 0, Progress.silent()))
                .hasMessage("'huge' is 1001 B but the cache tier holds at most 1000 B (--cache-capacity / SLUICE_CACHE_CAPACITY): "
                        + "raise the capacity to at least 1001 B or pick a smaller model");
        ModelCache unbounded = cache(0);
        long free = Files.getFileStore(unbounded.dir()).getUsableSpace();
        assertThatThrownBy(() -> unbounded.reserve("vast", Long.MAX_VALUE / 2, Long.MAX_VALUE / 2 - 2 * free - (1L << 30), Progress.silent()))
                .hasMessageStartingWith("not enough disk space in " + unbounded.dir() + " for 'vast': need ")
                .hasMessageEndingWith(" free; free some space or point --cache-dir elsewhere");
        // what is already on disk counts: a resume that needs no more room goes ahead
        unbounded.reserve("vast", Long.MAX_VALUE / 2, Long.MAX_VALUE / 2, Progress.silent());
        assertThat(Models.files(unbounded.dir(), "partial")).containsExactly("vast.reserve");
        assertThat(Models.files(unbounded.dir(), "partial")).doesNotContain("huge.reserve");
    }

    @Test
    void pinsAreCountedAndAPinnedModelCannotBeRemoved() throws Exception {
        ModelCache cache = cache(0);
        put(cache, "m", 10, 0);
        assertThat(cache.isPinned("m")).isFalse();
        ModelCache.Pin one = cache.pin("m");
        ModelCache.Pin two = cache.pin("m");
        one.close();
        one.close(); // closing twice releases one pin, not two
        assertThat(cache.isPinned("m")).isTrue();
        assertThatThrownBy(() -> cache.remove("m")).hasMessage("'m' is in use by a running process (pinned); stop it first, then remove the model");
        two.close();
        assertThat(cache.isPinned("m")).isFalse();
        cache.remove("m");
        assertThat(Models.files(cache.dir(), "models")).isEmpty();
        assertThatThrownBy(() -> cache.remove("m")).hasMessage("no model named 'm' in " + cache.dir() + " (see 'sluice models')");
        assertThatThrownBy(() -> cache.pin("m")).hasMessage("'m' left the cache before it could be pinned; pull it again");
        assertThat(cache.isPinned("m")).isFalse(); // the failed pin let go of its lock
    }

    @Test
    void aSecondPullOfOneNameWaitsForTheFirst() throws Exception {
        ModelCache cache = cache(0);
        CountDownLatch waiting = new CountDownLatch(1);
        AtomicBoolean got = new AtomicBoolean();
        Thread second;
        try (AutoCloseable first = cache.lockForPull("m", () -> {
            throw new AssertionError("the first pull does not wait");
        })) {
            second = Thread.ofPlatform().start(() -> {
                try (AutoCloseable lock = cache.lockForPull("m", waiting::countDown)) {
                    got.set(true);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(got).isFalse();
            try (AutoCloseable other = cache.lockForPull("other", () -> {
                throw new AssertionError("another name does not wait");
            })) {
                assertThat(got).isFalse();
            }
        }
        second.join(10_000);
        assertThat(got).isTrue();
    }

    @Test
    void restartingADownloadKeepsItsReservation() throws Exception {
        ModelCache cache = cache(0);
        Path partial = cache.partialFile("m");
        Files.write(partial, new byte[10]);
        Files.writeString(Journal.pathFor(partial), "j\n");
        cache.reserve("m", 10, 0, Progress.silent());
        cache.restartPartial("m");
        assertThat(Models.files(cache.dir(), "partial")).containsExactly("m.reserve");
        cache.discardPartial("m");
        assertThat(Models.files(cache.dir(), "partial")).isEmpty();
    }

    @Test
    void namesAreCheckedBeforeAnyPathIsMade() {
        ModelCache cache = cache(0);
        for (String bad : new String[] {"../escape", "a/b", "", "x".repeat(201)}) {
            assertThatThrownBy(() -> cache.find(bad)).hasMessage("'" + bad + "' is not a valid model name: use letters, digits, '.', '_' and '-' (at most 200)");
        }
        assertThatThrownBy(() -> ModelCache.checkName(null)).hasMessageStartingWith("'null' is not a valid model name");
        assertThat(cache.find("ok.name_1-2")).isEmpty();
    }

    @Test
    void aCacheDirectoryThatCannotBeMadeSaysWhatToDo() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        assertThatThrownBy(() -> new ModelCache(file.resolve("cache"), 0))
                .hasMessageStartingWith("cannot create the model cache in " + file.resolve("cache"))
                .hasMessageEndingWith("point --cache-dir or SLUICE_CACHE_DIR at a writable directory");
        assertThat(cache(5).capacity()).isEqualTo(5);
    }
}
