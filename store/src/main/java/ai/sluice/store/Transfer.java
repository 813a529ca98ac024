package ai.sluice.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Downloads one object into a partial file: parts of {@code partSize} bytes fetched by ranged GETs,
 * {@code concurrency} at a time, each written at its offset. Completed parts go into the journal
 * (resume), and the sha256 runs over the contiguous prefix of completed parts while later parts are
 * still arriving, so verifying costs little more than the last part at the end.
 * A failing mirror hands over to the next one in the middle of a part, from the byte it reached.
 */
final class Transfer {
    private static final int BUFFER = 256 << 10;

    /**
     * @param sha256    of the bytes now in the partial file
     * @param fetched   bytes read from sources in this run
     * @param resumed   bytes a previous run left that this one kept
     * @param perSource bytes fetched from each mirror in this run
     */
    record Outcome(String sha256, long fetched, long resumed, Map<String, Long> perSource) {
    }

    private final MirrorSet mirrors;
    private final Path partial;
    private final long size;
    private final long partSize;
    private final int concurrency;
    private final Progress progress;
    private final Map<String, Long> perSource = new ConcurrentHashMap<>();
    private final AtomicLong done = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    Transfer(MirrorSet mirrors, Path partial, long partSize, int concurrency, Progress progress) {
        this.mirrors = mirrors;
        this.partial = partial;
        this.size = mirrors.reference().size();
        // without ranges the object is one part read in one stream
        this.partSize = mirrors.reference().ranges() ? partSize : Math.max(1, size);
        this.concurrency = mirrors.reference().ranges() ? concurrency : 1;
        this.progress = progress;
    }

    /** Runs to the end or throws: {@link Remote.SourceFailure} when no mirror is left, else the failure. */
    Outcome run(String name) throws IOException {
        Remote.Probe ref = mirrors.reference();
        int parts = size == 0 ? 0 : (int) ((size + partSize - 1) / partSize);
        // a published sha256 names the content whichever mirror serves it; else the first mirror's ETag has to
        String header = Journal.header(size, partSize, ref.sha256(), ref.sha256() != null ? null : ref.version());
        try (Journal journal = Journal.open(partial, header);
             FileChannel file = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            BitSet already = journal.done();
            long resumed = 0;
            List<Integer> todo = new ArrayList<>();
            for (int p = 0; p < parts; p++) {
                if (already.get(p)) {
                    resumed += partEnd(p) - partStart(p);
                } else {
                    todo.add(p);
                }
            }
            done.set(resumed);
            PrefixHasher hasher = new PrefixHasher(file, already);
            progress.started(name, size, resumed, mirrors.current().describe());
            AtomicInteger next = new AtomicInteger();
            try (ExecutorService pool = Executors.newFixedThreadPool(Math.min(concurrency, Math.max(1, todo.size())),
                    Thread.ofPlatform().name("sluice-pull-", 0).daemon(true).factory())) {
                List<Future<?>> workers = new ArrayList<>();
                for (int w = 0; w < Math.min(concurrency, todo.size()); w++) {
                    workers.add(pool.submit(() -> {
                        int i;
                        while (failure.get() == null && (i = next.getAndIncrement()) < todo.size()) {
                            int part = todo.get(i);
                            try {
                                fetch(file, part);
                                journal.completed(part);
                                hasher.completed(part);
                            } catch (Throwable t) {
                                failure.compareAndSet(null, t);
                            }
                        }
                    }));
                }
                for (Future<?> f : workers) {
                    f.get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure.compareAndSet(null, e);
            } catch (java.util.concurrent.ExecutionException e) {
                failure.compareAndSet(null, e.getCause());
            }
            Throwable t = failure.get();
            if (t != null) {
                if (t instanceof IOException io) {
                    throw io;
                }
                if (t instanceof RuntimeException re) {
                    throw re;
                }
                throw new IOException(t);
            }
            file.force(true); // the journal promised these bytes; make them durable before publishing
            String sha = hasher.finish();
            return new Outcome(sha, done.get() - resumed, resumed, Map.copyOf(perSource));
        } finally {
            progress.finished();
        }
    }

    private long partStart(int part) {
        return part * partSize;
    }

    private long partEnd(int part) {
        return Math.min(size, (part + 1) * partSize);
    }

    /** Fetches one part, failing over between mirrors from wherever the last one stopped. */
    private void fetch(FileChannel file, int part) throws IOException {
        long pos = partStart(part);
        long end = partEnd(part);
        byte[] buffer = new byte[BUFFER];
        while (pos < end) {
            if (failure.get() != null) {
                throw new IOException("aborted");
            }
            Remote mirror = mirrors.current();
            long before = pos;
            long from = mirrors.reference().ranges() ? pos : (pos = partStart(part)); // no ranges: start over
            try (InputStream in = mirror.open(from, end)) {
                int n;
                while (pos < end && (n = in.read(buffer, 0, (int) Math.min(buffer.length, end - pos))) > 0) {
                    ByteBuffer b = ByteBuffer.wrap(buffer, 0, n);
                    while (b.hasRemaining()) {
                        pos += file.write(b, pos);
                    }
                    perSource.merge(mirror.describe(), (long) n, Long::sum);
                    progress.advanced(done.addAndGet(n), size);
                }
                if (pos < end) {
                    throw new Remote.SourceFailure(mirror.describe() + " ended the stream early at byte " + pos, false, null);
                }
                mirrors.succeeded(mirror);
            } catch (Remote.SourceFailure f) {
                onFailure(mirror, f, pos - before);
            } catch (IOException e) {
                if (isDiskFull(e)) {
                    throw e;
                }
                onFailure(mirror, new Remote.SourceFailure("reading " + mirror.describe() + " failed: " + e.getMessage(), false, e), pos - before);
            } catch (RuntimeException e) {
                if (e.getClass().getName().startsWith("software.amazon.awssdk")) {
                    onFailure(mirror, new Remote.SourceFailure("reading " + mirror.describe() + " failed: " + e.getMessage(), false, e), pos - before);
                } else {
                    throw e;
                }
            }
        }
    }

    private void onFailure(Remote mirror, Remote.SourceFailure f, long gotThisTry) {
        if (mirrors.failed(mirror, f)) {
            String next = mirrors.next();
            if (next != null) {
                progress.note("mirror " + mirror.describe() + " failed (" + f.getMessage() + "); going on from " + next);
            }
        } else if (gotThisTry == 0) {
            try { // a brief pause before asking the same mirror again
                Thread.sleep(100L * mirrors.strikes(mirror));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static boolean isDiskFull(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("No space left on device")) {
                return true;
            }
        }
        return false;
    }

    /** sha256 over the parts in order, advanced whenever the next part in line is complete. */
    private final class PrefixHasher {
        private final FileChannel file;
        private final BitSet complete;
        private final MessageDigest digest;
        private final AtomicBoolean busy = new AtomicBoolean();
        private int nextPart;

        PrefixHasher(FileChannel file, BitSet complete) {
            this.file = file;
            this.complete = complete;
            try {
                this.digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        void completed(int part) throws IOException {
            synchronized (complete) {
                complete.set(part);
            }
            // one thread hashes at a time; the others go on downloading
            while (ready() && busy.compareAndSet(false, true)) {
                try {
                    while (ready()) {
                        hash(nextPart);
                        nextPart++;
                    }
                } finally {
                    busy.set(false);
                }
            }
        }

        private boolean ready() {
            synchronized (complete) {
                return complete.get(nextPart) && partStart(nextPart) < size;
            }
        }

        private void hash(int part) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(BUFFER);
            long pos = partStart(part);
            long end = partEnd(part);
            while (pos < end) {
                b.clear().limit((int) Math.min(b.capacity(), end - pos));
                int n = file.read(b, pos);
                if (n < 0) {
                    throw new IOException("partial file " + partial + " is shorter than its journal says");
                }
                b.flip();
                digest.update(b);
                pos += n;
            }
        }

        String finish() throws IOException {
            int parts = size == 0 ? 0 : (int) ((size + partSize - 1) / partSize);
            while (nextPart < parts) {
                hash(nextPart);
                nextPart++;
            }
            return HexFormat.of().formatHex(digest.digest());
        }
    }

    static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }
}
