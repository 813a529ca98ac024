package ai.sluice.store;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The store's front door: pull a model from a source (with mirrors) into the local tier, verified,
 * and hand out what serving needs (a file and a pin). One instance per process and cache directory.
 * Two pulls of the same name share one download: in this process through a shared future, across
 * processes through the cache's pull lock (the second waits, then finds the model published).
 */
public final class ModelStore implements AutoCloseable {
    private static final byte[] GGUF_MAGIC = "GGUF".getBytes(StandardCharsets.US_ASCII);

    private final StoreConfig config;
    private final ModelCache cache;
    private final Progress progress;
    private final S3Clients s3;
    private final HttpClient http;
    private final Map<String, CompletableFuture<Pulled>> inFlight = new ConcurrentHashMap<>();

    /**
     * What a pull did.
     *
     * @param downloaded false when the cache already held the model (or another pull fetched it)
     * @param shared     true when this pull waited for another one (this or another process) and reused its result
     * @param fetched    bytes read from sources by this pull
     * @param resumed    bytes an earlier, interrupted pull had left and this one kept
     * @param perSource  bytes read from each mirror
     */
    public record Pulled(CachedModel model, Path file, boolean downloaded, boolean shared, long fetched, long resumed,
                         Map<String, Long> perSource) {
    }

    /** A model ready to load: the file, and a pin to hold while it is mapped (null for a plain path). */
    public record Resolved(Path file, String name, ModelCache.Pin pin) implements AutoCloseable {
        @Override
        public void close() {
            if (pin != null) {
                pin.close();
            }
        }
    }

    public ModelStore(StoreConfig config, Progress progress) {
        this.config = config;
        this.cache = new ModelCache(config.cacheDir(), config.capacityBytes());
        this.progress = progress;
        this.s3 = new S3Clients(Math.max(config.concurrency(), Pusher.MAX_CONCURRENCY)); // room for a push's parts too
        this.http = HttpRemote.newClient();
    }

    public ModelCache cache() {
        return cache;
    }

    public StoreConfig config() {
        return config;
    }

    /**
     * What {@code --model SOURCE} means for a command that loads a model: a local path as it is,
     * anything else pulled (or found) in the cache and pinned.
     */
    public Resolved resolve(Source source, List<Source> mirrors) {
        if (source instanceof Source.Local local && mirrors.isEmpty()) {
            if (!Files.isRegularFile(local.path())) {
                throw new StoreException("no such model file: " + local.path()
                        + " (give a .gguf path, s3://BUCKET/KEY, http(s)://URL, hf://ORG/REPO/FILE.gguf or a cached name)");
            }
            return new Resolved(local.path(), source.defaultName(), null);
        }
        Pulled p = pull(source, mirrors, null, null);
        ModelCache.Pin pin = cache.pin(p.model().name());
        return new Resolved(p.file(), p.model().name(), pin);
    }

    /**
     * Pulls {@code source} (then {@code mirrors} in order) into the cache as {@code name} (default:
     * from the source), checked against {@code expectedSha256} when given, else against the sha256
     * the source publishes.
     */
    public Pulled pull(Source source, List<Source> mirrors, String name, String expectedSha256) {
        if (source instanceof Source.Cached cached && mirrors.isEmpty()) {
            CachedModel m = cache.find(cached.name()).orElseThrow(() -> new StoreException("no model named '" + cached.name()
                    + "' in the cache " + cache.dir() + ": pull it first (sluice pull SOURCE --name " + cached.name()
                    + ") or give a path or URL"));
            cache.touch(m);
            return new Pulled(m, cache.modelFile(m.name()), false, false, 0, 0, Map.of());
        }
        String modelName = name != null ? name : source.defaultName();
        ModelCache.checkName(modelName);
        String expected = expectedSha256 == null ? null : expectedSha256.toLowerCase(Locale.ROOT);
        if (expected != null && !expected.matches("[0-9a-f]{64}")) {
            throw new StoreException("--sha256 must be 64 hex digits, got '" + expectedSha256 + "'");
        }
        List<Source> all = new ArrayList<>();
        all.add(source);
        all.addAll(mirrors);
        CompletableFuture<Pulled> mine = new CompletableFuture<>();
        CompletableFuture<Pulled> running = inFlight.putIfAbsent(modelName, mine);
        if (running != null) {
            progress.note("waiting for the pull of " + modelName + " already running in this process");
            try {
                Pulled p = running.join();
                return new Pulled(p.model(), p.file(), false, true, 0, 0, Map.of());
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : e;
            }
        }
        try {
            Pulled p = pullLocked(all, modelName, expected);
            mine.complete(p);
            return p;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(modelName, mine);
        }
    }

    private Pulled pullLocked(List<Source> sources, String name, String expected) {
        boolean[] waited = {false};
        try (AutoCloseable ignored = cache.lockForPull(name, () -> {
            waited[0] = true;
            progress.note("another process is pulling " + name + "; waiting for it to finish");
        })) {
            return pullWithLock(sources, name, expected, waited[0]);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new StoreException("pull of " + name + " failed: " + e.getMessage(), e);
        }
    }

    private Pulled pullWithLock(List<Source> sources, String name, String expected, boolean waited) throws IOException {
        List<Remote> remotes = new ArrayList<>();
        for (Source s : sources) {
            remotes.add(remote(s));
        }
        Optional<CachedModel> cached = cache.find(name);
        Map<String, String> failures = new LinkedHashMap<>();
        Remote.Probe probe = null;
        int first = -1;
        for (int i = 0; i < remotes.size() && probe == null; i++) {
            try {
                probe = remotes.get(i).probe();
                first = i;
            } catch (Remote.SourceFailure f) {
                failures.put(remotes.get(i).describe(), f.getMessage());
                if (i + 1 < remotes.size()) {
                    progress.note("mirror " + remotes.get(i).describe() + " failed (" + f.getMessage() + "); trying " + remotes.get(i + 1).describe());
                }
            }
        }
        String sourceText = sources.getFirst().toString();
        if (probe == null) {
            String why = failures.size() == 1 ? failures.values().iterator().next()
                    : "every mirror failed (" + String.join("; ", failures.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).toList()) + ")";
            if (cached.isPresent() && cached.get().source().equals(sourceText)) {
                progress.note("cannot check " + sourceText + " (" + why + "); using the cached copy, sha256 " + cached.get().sha256());
                cache.touch(cached.get());
                return new Pulled(cached.get(), cache.modelFile(name), false, waited, 0, 0, Map.of());
            }
            throw new StoreException(why);
        }
        String want = expected != null ? expected : probe.sha256();
        if (cached.isPresent() && upToDate(cached.get(), probe, want, sourceText)) {
            cache.touch(cached.get());
            if (waited) {
                progress.note(name + " was pulled by another process meanwhile; sharing its copy");
            }
            return new Pulled(cache.find(name).orElseThrow(), cache.modelFile(name), false, waited, 0, 0, Map.of());
        }
        checkGguf(remotes.get(first), probe);
        Path partial = cache.partialFile(name);
        long have = Files.exists(partial) ? Transfer.sizeOf(partial) : 0;
        cache.reserve(name, probe.size(), Math.min(have, probe.size()), progress);

        MirrorSet mirrors = new MirrorSet(remotes, first, probe, failures);
        String verifiedBy = expected != null ? "--sha256" : probe.shaFrom();
        Transfer.Outcome outcome;
        try {
            outcome = new VerifiedTransfer(mirrors, remotes.size(), cache, name, config, progress).run(want, verifiedBy, sourceText);
        } catch (Remote.SourceFailure f) {
            throw new StoreException(f.getMessage() + "; " + kept(name, probe.size()) + ", run the same pull again to resume", f);
        } catch (IOException e) {
            if (Transfer.isDiskFull(e)) {
                cache.discardPartial(name);
                throw new StoreException("disk full while pulling " + name + " into " + cache.dir()
                        + " (partial download deleted): free " + Sizes.format(probe.size()) + " or point --cache-dir elsewhere", e);
            }
            throw new StoreException("pull of " + name + " failed: " + e.getMessage() + "; " + kept(name, probe.size())
                    + ", run the same pull again to resume", e);
        } catch (RuntimeException e) {
            if (e instanceof StoreException) {
                throw e;
            }
            throw new StoreException("pull of " + name + " interrupted (" + e.getMessage() + "); " + kept(name, probe.size())
                    + ", run the same pull again to resume", e);
        }
        if (want == null) {
            progress.note("no sha256 published for " + sourceText + "; recorded the downloaded one, " + outcome.sha256());
        } else {
            progress.note("verified sha256 " + outcome.sha256() + " (" + verifiedBy + ")");
        }
        Instant now = Instant.now();
        List<String> mirrorTexts = sources.subList(1, sources.size()).stream().map(Source::toString).toList();
        CachedModel model = new CachedModel(name, probe.size(), outcome.sha256(), want == null ? "none" : verifiedBy,
                sourceText, mirrorTexts, now, now);
        try {
            cache.publish(partial, model);
        } catch (IOException | StoreException e) {
            throw new StoreException("cannot publish " + name + " in " + cache.dir() + " (" + e.getMessage() + "); the verified download"
                    + " stays in " + partial.getParent() + (Transfer.isDiskFull(e) ? ": free some disk space, then" : ",")
                    + " run the same pull again to finish it without fetching", e);
        }
        return new Pulled(model, cache.modelFile(name), true, false, outcome.fetched(), outcome.resumed(), outcome.perSource());
    }

    private String kept(String name, long size) {
        Path partial = cache.partialFile(name);
        return Sizes.format(Math.min(size, Transfer.sizeOf(partial))) + " of " + Sizes.format(size) + " kept in " + partial.getParent();
    }

    private static boolean upToDate(CachedModel m, Remote.Probe probe, String want, String sourceText) {
        if (m.size() != probe.size()) {
            return false;
        }
        if (want != null) {
            return want.equals(m.sha256());
        }
        return m.source().equals(sourceText); // nothing to compare against: same source and size
    }

    /** Reads the first bytes before fetching the rest: a wrong file is refused at once. */
    private static void checkGguf(Remote remote, Remote.Probe probe) throws IOException {
        byte[] head = new byte[4];
        int n = 0;
        if (probe.size() >= 4) {
            try (InputStream in = remote.open(0, 4)) {
                int r;
                while (n < 4 && (r = in.read(head, n, 4 - n)) > 0) {
                    n += r;
                }
            } catch (Remote.SourceFailure f) {
                return; // the transfer meets the same failure and fails over; the check is a courtesy
            }
        }
        if (n < 4 || !java.util.Arrays.equals(head, GGUF_MAGIC)) {
            String start = new String(head, 0, n, StandardCharsets.ISO_8859_1).replaceAll("[^\\x20-\\x7e]", "?");
            throw new StoreException(remote.describe() + " is not a GGUF model (it starts with '" + start
                    + "', not 'GGUF'): point at a .gguf file");
        }
    }

    Remote remote(Source s) {
        return switch (s) {
            case Source.Local l -> new FileRemote(l.path());
            case Source.S3 o -> new S3Remote(s3.client(o), o);
            case Source.Http h -> new HttpRemote(http, h.uri(), h.toString(), null, true);
            case Source.HuggingFace hf -> new HttpRemote(http, hf.resolveUri(config.hubEndpoint()), hf.toString(), config.hubToken(), false);
            case Source.Cached c -> new FileRemote(cache.find(c.name()).map(m -> cache.modelFile(m.name()))
                    .orElseThrow(() -> new StoreException("no model named '" + c.name() + "' in the cache " + cache.dir())));
        };
    }

    S3Clients s3() {
        return s3;
    }

    @Override
    public void close() {
        s3.close();
        http.close();
    }
}
