package ai.sluice.store;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The child of {@link DiskFullTest}, run on a small tmpfs of its own ({@code unshare} + {@code mount}):
 * {@code CACHE SOURCE_A SOURCE_B}. Pulls A, then pulls B while another writer fills the disk,
 * then reports, one line each, what the failure said and what the cache holds; serves A from the
 * still-full disk; frees the disk and pulls B again.
 */
public final class DiskFullProcess {
    private DiskFullProcess() {
    }

    public static void main(String[] args) throws Exception {
        Path cache = Path.of(args[0]);
        StoreConfig config = StoreConfig.fromEnvironment(System.getenv()).withCacheDir(cache).withTransfer(64 << 10, 2);
        try (ModelStore store = new ModelStore(config, Progress.silent())) {
            store.pull(Source.parse(args[1]), List.of(), "a", null);
        }
        AtomicBoolean filled = new AtomicBoolean();
        Progress filling = new RecordingProgress(done -> {
            if (done > 300 << 10 && filled.compareAndSet(false, true)) {
                fill(cache.resolve("filler-1"));
            }
        });
        try (ModelStore store = new ModelStore(config, filling)) {
            store.pull(Source.parse(args[2]), List.of(), "b", null);
            System.out.println("pulled b although the disk filled up");
        } catch (StoreException e) {
            System.out.println("error " + e.getMessage());
        }
        System.out.println("partial=" + Models.files(cache, "partial"));
        System.out.println("models=" + Models.files(cache, "models"));
        fill(cache.resolve("filler-2"));
        try (ModelStore store = new ModelStore(config, Progress.silent());
             ModelStore.Resolved a = store.resolve(Source.parse("a"), List.of())) {
            System.out.println("resolved a entry=" + store.cache().find("a").orElseThrow().sha256()
                    + " file=" + HubServer.sha256(Files.readAllBytes(a.file())));
        }
        Files.delete(cache.resolve("filler-1"));
        Files.delete(cache.resolve("filler-2"));
        try (ModelStore store = new ModelStore(config, Progress.silent())) {
            ModelStore.Pulled b = store.pull(Source.parse(args[2]), List.of(), "b", null);
            System.out.println("pulled b downloaded=" + b.downloaded() + " file=" + HubServer.sha256(Files.readAllBytes(b.file())));
        }
    }

    /** Another program taking every free byte. */
    private static void fill(Path filler) {
        byte[] chunk = new byte[16 << 10];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(chunk);
            }
        } catch (IOException e) {
            if (!Transfer.isDiskFull(e)) {
                throw new IllegalStateException(e);
            }
        }
    }
}
