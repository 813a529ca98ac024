package ai.sluice.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The local tier: a directory of models with a capacity limit.
 * <pre>
 * DIR/models/NAME.gguf    published only after verification (atomic rename)
 * DIR/models/NAME.json    what it is, where from, last use
 * DIR/partial/NAME.part   a download in progress (+ .journal: which parts are complete,
 *                         + .reserve: the bytes it will take, counted against the capacity)
 * DIR/locks/NAME.pin      shared lock while a process uses the model: never evicted meanwhile
 * DIR/locks/NAME.pull     exclusive lock while one process downloads it: the others wait and reuse
 * DIR/locks/cache.lock    exclusive while space is counted and models evicted
 * </pre>
 * File locks are per process (POSIX record locks): they vanish when a process dies, so a crashed
 * server never pins a model for good. Within this process pins are counted here, since the JVM
 * refuses a second lock on a region it already holds.
 */
public final class ModelCache {
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;
    private final long capacity;
    private final Map<String, PinHolder> pins = new HashMap<>();

    /** A model in the listing, with whether some process has it pinned right now. */
    public record Listing(CachedModel model, Path file, boolean pinned) {
    }

    public ModelCache(Path dir, long capacityBytes) {
        this.dir = dir;
        this.capacity = capacityBytes;
        try {
            Files.createDirectories(dir.resolve("models"));
            Files.createDirectories(dir.resolve("partial"));
            Files.createDirectories(dir.resolve("locks"));
        } catch (IOException e) {
            throw new StoreException("cannot create the model cache in " + dir + " (" + e.getMessage()
                    + "): point --cache-dir or SLUICE_CACHE_DIR at a writable directory", e);
        }
    }

    public Path dir() {
        return dir;
    }

    public long capacity() {
        return capacity;
    }

    Path modelFile(String name) {
        return dir.resolve("models").resolve(name + ".gguf");
    }

    private Path entryFile(String name) {
        return dir.resolve("models").resolve(name + ".json");
    }

    Path partialFile(String name) {
        return dir.resolve("partial").resolve(name + ".part");
    }

    private Path lockFile(String name) {
        return dir.resolve("locks").resolve(name);
    }

    public Optional<CachedModel> find(String name) {
        checkName(name);
        Path entry = entryFile(name);
        if (!Files.exists(entry) || !Files.exists(modelFile(name))) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(entry.toFile(), CachedModel.class));
        } catch (IOException e) {
            return Optional.empty(); // unreadable bookkeeping: treat as absent, a pull rewrites it
        }
    }

    /** Every model, most recently used first. */
    public List<Listing> list() {
        List<Listing> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir.resolve("models"))) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList()) {
                String name = p.getFileName().toString().replaceFirst("\\.json$", "");
                find(name).ifPresent(m -> out.add(new Listing(m, modelFile(name), isPinned(name))));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(Comparator.comparing((Listing l) -> l.model().lastUsed()).reversed());
        return out;
    }

    /** Removes a model; refused while a process has it pinned. */
    public void remove(String name) {
        checkName(name);
        if (find(name).isEmpty()) {
            throw new StoreException("no model named '" + name + "' in " + dir + " (see 'sluice models')");
        }
        if (!deleteUnlessPinned(name)) {
            throw new StoreException("'" + name + "' is in use by a running process (pinned); stop it first, then remove the model");
        }
    }

    /** Deletes the model's files while holding its pin lock exclusively; false when someone pins it. */
    private boolean deleteUnlessPinned(String name) {
        synchronized (pins) {
            if (pins.containsKey(name)) {
                return false;
            }
            try (FileChannel ch = FileChannel.open(lockFile(name + ".pin"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                FileLock lock = ch.tryLock();
                if (lock == null) {
                    return false;
                }
                try {
                    Files.deleteIfExists(entryFile(name));
                    Files.deleteIfExists(modelFile(name));
                    return true;
                } finally {
                    lock.release();
                }
            } catch (OverlappingFileLockException e) {
                return false;
            } catch (IOException e) {
                throw new StoreException("cannot remove '" + name + "' from " + dir + ": " + e.getMessage(), e);
            }
        }
    }

    /** Whether some process (this one included) has {@code name} pinned. */
    public boolean isPinned(String name) {
        synchronized (pins) {
            if (pins.containsKey(name)) {
                return true;
            }
            try (FileChannel ch = FileChannel.open(lockFile(name + ".pin"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                FileLock lock = ch.tryLock(0, Long.MAX_VALUE, false);
                if (lock == null) {
                    return true;
                }
                lock.release();
                return false;
            } catch (OverlappingFileLockException e) {
                return true;
            } catch (IOException e) {
                return true; // when in doubt, do not evict
            }
        }
    }

    /** A model held in use: never evicted or removed until closed (or until this process ends). */
    public final class Pin implements AutoCloseable {
        private final String name;
        private boolean closed;

        private Pin(String name) {
            this.name = name;
        }

        public String name() {
            return name;
        }

        @Override
        public void close() {
            synchronized (pins) {
                if (closed) {
                    return;
                }
                closed = true;
                PinHolder h = pins.get(name);
                if (h != null && --h.count == 0) {
                    pins.remove(name);
                    try {
                        h.lock.release();
                        h.channel.close();
                    } catch (IOException ignored) {
                        // the lock goes with the channel anyway
                    }
                }
            }
        }
    }

    private static final class PinHolder {
        final FileChannel channel;
        final FileLock lock;
        int count;

        PinHolder(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }
    }

    /** Pins a cached model and records the use; fails when it is not (or no longer) in the cache. */
    public Pin pin(String name) {
        checkName(name);
        synchronized (pins) {
            PinHolder h = pins.get(name);
            if (h == null) {
                try {
                    // a shared lock needs a readable channel
                    FileChannel ch = FileChannel.open(lockFile(name + ".pin"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                            StandardOpenOption.WRITE);
                    FileLock lock = ch.lock(0, Long.MAX_VALUE, true); // shared: any number of servers
                    h = new PinHolder(ch, lock);
                    pins.put(name, h);
                } catch (IOException e) {
                    throw new StoreException("cannot pin '" + name + "' in " + dir + ": " + e.getMessage(), e);
                }
            }
            h.count++;
        }
        Pin pin = new Pin(name);
        Optional<CachedModel> m = find(name);
        if (m.isEmpty()) { // evicted between the pull and the pin
            pin.close();
            throw new StoreException("'" + name + "' left the cache before it could be pinned; pull it again");
        }
        touch(m.get());
        return pin;
    }

    /**
     * Records a use. Best effort: the time only orders evictions, and a disk too full to rewrite
     * a small file must not stop a model that is already here from being served.
     */
    void touch(CachedModel m) {
        try {
            writeEntry(m.usedAt(Instant.now()));
        } catch (StoreException e) {
            // the entry keeps its older time
        }
    }

    /** Exclusive right to download {@code name}; other processes asking wait here. */
    AutoCloseable lockForPull(String name, Runnable onWait) {
        try {
            FileChannel ch = FileChannel.open(lockFile(name + ".pull"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = tryLock(ch);
            if (lock == null) {
                onWait.run();
                // polled, not blocking: the holder may be this very JVM (another store on this directory),
                // where the JVM refuses a second lock instead of waiting for it
                while ((lock = tryLock(ch)) == null) {
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        ch.close();
                        throw new StoreException("interrupted while waiting for another pull of " + name);
                    }
                }
            }
            FileLock held = lock;
            return () -> {
                held.release();
                ch.close();
            };
        } catch (IOException e) {
            throw new StoreException("cannot lock " + lockFile(name + ".pull") + ": " + e.getMessage(), e);
        }
    }

    private static FileLock tryLock(FileChannel ch) throws IOException {
        try {
            return ch.tryLock();
        } catch (OverlappingFileLockException e) {
            return null;
        }
    }

    /**
     * Makes room for {@code size} more bytes under the capacity, evicting least recently used
     * models that nobody pins. {@code have}: bytes of this model already on disk (a resumed partial).
     */
    void reserve(String name, long size, long have, Progress progress) {
        if (capacity > 0 && size > capacity) {
            throw new StoreException("'" + name + "' is " + Sizes.format(size) + " but the cache tier holds at most "
                    + Sizes.format(capacity) + " (--cache-capacity / SLUICE_CACHE_CAPACITY): raise the capacity to at least "
                    + Sizes.format(size) + " or pick a smaller model");
        }
        try (FileChannel ch = FileChannel.open(lockFile("cache.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = ch.lock()) {
            if (capacity > 0) {
                List<Listing> models = new ArrayList<>(list());
                models.removeIf(l -> l.model().name().equals(name)); // replaced by the new copy
                long reserved = otherPartials(name);
                long used = reserved;
                for (Listing l : models) {
                    used += l.model().size();
                }
                models.sort(Comparator.comparing(l -> l.model().lastUsed())); // oldest use first
                List<String> pinned = new ArrayList<>();
                for (Listing l : models) {
                    if (used + size <= capacity) {
                        break;
                    }
                    if (!l.pinned() && deleteUnlessPinned(l.model().name())) {
                        used -= l.model().size();
                        progress.note("evicted " + l.model().name() + " (" + Sizes.format(l.model().size())
                                + ", last used " + l.model().lastUsed() + ") to make room for " + name);
                    } else {
                        pinned.add(l.model().name());
                    }
                }
                if (used + size > capacity) {
                    throw new StoreException("no room for '" + name + "' (" + Sizes.format(size) + "): the cache holds "
                            + Sizes.format(used) + " of " + Sizes.format(capacity)
                            + (reserved > 0 ? ", " + Sizes.format(reserved) + " of it for other downloads in progress or interrupted" : "")
                            + (pinned.isEmpty() ? "" : ", the models left in use (pinned: " + String.join(", ", pinned) + ")")
                            + "; wait for them, stop what uses the models, or raise --cache-capacity");
                }
            }
            long free = Files.getFileStore(dir).getUsableSpace();
            long need = size - have;
            if (need > free) {
                throw new StoreException("not enough disk space in " + dir + " for '" + name + "': need " + Sizes.format(need)
                        + " more, " + Sizes.format(free) + " free; free some space or point --cache-dir elsewhere");
            }
            // claimed while the cache lock is held, so two pulls of different models cannot both count the same room
            Files.writeString(reservation(name), Long.toString(size), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new StoreException("cannot lock the cache in " + dir + ": " + e.getMessage(), e);
        }
    }

    private Path reservation(String name) {
        return dir.resolve("partial").resolve(name + ".reserve");
    }

    /**
     * Bytes that downloads of other models will take: in progress, or interrupted and waiting for a
     * resume (their partial files hold the disk until then).
     */
    private long otherPartials(String name) throws IOException {
        long sum = 0;
        try (Stream<Path> files = Files.list(dir.resolve("partial"))) {
            for (Path r : files.filter(f -> f.toString().endsWith(".reserve")).toList()) {
                if (r.equals(reservation(name))) {
                    continue;
                }
                try {
                    sum += Long.parseLong(Files.readString(r, StandardCharsets.US_ASCII).trim());
                } catch (RuntimeException | IOException e) {
                    // being written or removed: counts nothing
                }
            }
        }
        return sum;
    }

    /**
     * Records a verified partial file, then moves it under its final name. The entry goes first:
     * when it cannot be written (a full disk) the download stays where it is, complete in its
     * journal, and the next pull publishes it without fetching; a model file without an entry
     * would be invisible, never listed, evicted or removed.
     */
    CachedModel publish(Path partial, CachedModel model) throws IOException {
        Path target = modelFile(model.name());
        writeEntry(model);
        try {
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Files.deleteIfExists(entryFile(model.name()));
            throw e instanceof AtomicMoveNotSupportedException ? new IOException("the cache directory cannot rename atomically", e) : e;
        }
        Files.deleteIfExists(Journal.pathFor(partial));
        Files.deleteIfExists(reservation(model.name()));
        return model;
    }

    /** Throws the partial download away but keeps its reservation: it is fetched again at once. */
    void restartPartial(String name) {
        try {
            Files.deleteIfExists(partialFile(name));
            Files.deleteIfExists(Journal.pathFor(partialFile(name)));
        } catch (IOException e) {
            throw new StoreException("cannot delete " + partialFile(name) + ": " + e.getMessage(), e);
        }
    }

    void discardPartial(String name) {
        try {
            Files.deleteIfExists(partialFile(name));
            Files.deleteIfExists(Journal.pathFor(partialFile(name)));
            Files.deleteIfExists(reservation(name));
        } catch (IOException e) {
            // best effort: a later pull starts over anyway since the journal no longer matches
        }
    }

    private void writeEntry(CachedModel m) {
        Path entry = entryFile(m.name());
        Path tmp = entry.resolveSibling(m.name() + ".json.tmp" + ProcessHandle.current().pid());
        try {
            JSON.writeValue(tmp.toFile(), m);
            Files.move(tmp, entry, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (NoSuchFileException e) {
            // the model was removed meanwhile
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp); // a half-written copy would only take room
            } catch (IOException ignored) {
                // nothing more to do
            }
            throw new StoreException("cannot write " + entry + ": " + e.getMessage(), e);
        }
    }

    static void checkName(String name) {
        if (name == null || !Source.NAME.matcher(name).matches()) {
            throw new StoreException("'" + name + "' is not a valid model name: use letters, digits, '.', '_' and '-' (at most 200)");
        }
    }
}
