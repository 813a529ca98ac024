package ai.sluice.store;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Not a test (run by bench/store-bench.sh): pull throughput from a local s3proxy against the disk's
 * sequential write speed measured in the same run, then {@code sluice serve} time-to-ready cold
 * (pulling from S3) vs warm (from the cache).
 * Args: MODEL.gguf WORKDIR SLUICE_LAUNCHER [RUNS].
 */
public final class StoreBench {
    private StoreBench() {
    }

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        Path work = Path.of(args[1]);
        Path sluice = Path.of(args[2]);
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        long size = Files.size(model);
        Files.createDirectories(work);
        System.out.printf(Locale.ROOT, "model %s: %s%n", model.getFileName(), Sizes.format(size));

        List<Double> disk = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            disk.add(diskWrite(work.resolve("disk-test.bin"), size));
        }
        System.out.printf(Locale.ROOT, "disk sequential write (%s, fsync at end): %s MiB/s%n", Sizes.format(size), summary(disk));

        try (S3Server s3 = S3Server.start().bucket("models")) {
            String sha = sha256(model);
            try (S3Client admin = S3Client.builder().endpointOverride(s3.endpoint()).forcePathStyle(true).region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(S3Server.ACCESS_KEY, S3Server.SECRET_KEY)))
                    .build()) {
                admin.putObject(b -> b.bucket("models").key("bench/model.gguf").metadata(Map.of("sha256", sha)),
                        RequestBody.fromFile(model));
            }
            Source.S3 source = s3.source("models", "bench/model.gguf");
            for (int[] pc : new int[][] {{16, 8}, {16, 4}, {64, 8}, {16, 1}}) {
                List<Double> rates = new ArrayList<>();
                for (int i = 0; i < runs; i++) {
                    Path cache = work.resolve("cache-pull");
                    deleteTree(cache);
                    StoreConfig config = new StoreConfig(cache, 0, (long) pc[0] << 20, pc[1], StoreConfig.DEFAULT_HUB, null);
                    long t0 = System.nanoTime();
                    try (ModelStore store = new ModelStore(config, Progress.silent())) {
                        store.pull(source, List.of(), "bench", null);
                    }
                    double s = (System.nanoTime() - t0) / 1e9;
                    rates.add(size / s / (1 << 20));
                }
                System.out.printf(Locale.ROOT, "pull from s3proxy, part %d MiB x %d in flight (incl. sha256, fsync, publish): %s MiB/s%n",
                        pc[0], pc[1], summary(rates));
            }

            Path cache = work.resolve("cache-serve");
            for (int i = 0; i < runs; i++) {
                deleteTree(cache);
                double cold = timeToReady(sluice, source.toString(), cache);
                double warm = timeToReady(sluice, source.toString(), cache);
                System.out.printf(Locale.ROOT, "serve --no-warmup time to /ready, run %d: cold (pull from S3) %.2f s, warm (cache) %.2f s%n",
                        i + 1, cold, warm);
            }
        } finally {
            deleteTree(work.resolve("cache-pull"));
            deleteTree(work.resolve("cache-serve"));
        }
    }

    /** Writes {@code size} bytes in 8 MiB blocks, then fsync: what a pull into this directory pays at least. */
    private static double diskWrite(Path file, long size) throws IOException {
        ByteBuffer block = ByteBuffer.allocateDirect(8 << 20);
        byte[] noise = new byte[block.capacity()];
        new Random(1).nextBytes(noise);
        block.put(noise).flip();
        long t0 = System.nanoTime();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            long written = 0;
            while (written < size) {
                block.rewind().limit((int) Math.min(block.capacity(), size - written));
                written += ch.write(block);
            }
            ch.force(true);
        }
        double s = (System.nanoTime() - t0) / 1e9;
        Files.delete(file);
        return size / s / (1 << 20);
    }

    private static double timeToReady(Path sluice, String source, Path cache) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ProcessBuilder pb = new ProcessBuilder(sluice.toString(), "serve", "--model", source, "--cache-dir", cache.toString(),
                "--port", Integer.toString(port), "--no-warmup", "--threads", "2")
                .redirectErrorStream(true).redirectOutput(cache.resolveSibling("serve-bench.log").toFile());
        pb.environment().put("AWS_ACCESS_KEY_ID", S3Server.ACCESS_KEY);
        pb.environment().put("AWS_SECRET_ACCESS_KEY", S3Server.SECRET_KEY);
        pb.environment().put("AWS_REGION", "us-east-1");
        pb.environment().put("SLUICE_REBUILD", "0");
        long t0 = System.nanoTime();
        Process p = pb.start();
        HttpClient http = HttpClient.newHttpClient();
        try {
            while (true) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("serve exited: " + Files.readString(cache.resolveSibling("serve-bench.log")));
                }
                try {
                    if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return (System.nanoTime() - t0) / 1e9;
                    }
                } catch (IOException notYet) {
                    // starting
                }
                Thread.sleep(20);
            }
        } finally {
            p.destroy();
            p.waitFor();
        }
    }

    private static String summary(List<Double> xs) {
        List<Double> s = xs.stream().sorted().toList();
        return String.format(Locale.ROOT, "median %.0f (min %.0f, max %.0f, %d runs)", s.get(s.size() / 2), s.getFirst(), s.getLast(), s.size());
    }

    private static String sha256(Path file) throws Exception {
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
