package ai.sluice.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Uploads one model to several destinations (duplicate copies on different storage), each checked
 * after the upload, with {@code KEY.manifest.json} beside it. The object also carries its sha256 as
 * metadata ({@code x-amz-meta-sha256}), so a pull can verify even without the manifest.
 * A file of one part size or less goes up in a single PUT; a bigger one as a multipart upload
 * ({@link MultipartUpload}), which is also how files over S3's 5 GiB single-PUT limit go up.
 */
public final class Pusher {
    /** Bytes per upload part unless the file needs bigger ones to stay within {@link #MAX_PARTS}. */
    public static final long DEFAULT_PART_SIZE = 64L << 20;
    public static final int DEFAULT_CONCURRENCY = 4;
    /** S3's bounds: every part but the last at least 5 MiB, at most 5 GiB, at most 10,000 parts. */
    public static final long MIN_PART_SIZE = 5L << 20;
    public static final long MAX_PART_SIZE = 5L << 30;
    static final int MAX_PARTS = 10_000;
    public static final int MAX_CONCURRENCY = 32;

    private final ModelStore store;
    private final long partSize;
    private final int concurrency;

    /** How one destination went: {@code error} null when the copy is there and verified. */
    public record Result(String destination, String error) {
        public boolean ok() {
            return error == null;
        }
    }

    public Pusher(ModelStore store) {
        this(store, DEFAULT_PART_SIZE, DEFAULT_CONCURRENCY);
    }

    /**
     * @param partSize    bytes per part of a multipart upload (files up to this size go in one PUT)
     * @param concurrency parts in flight at once
     */
    public Pusher(ModelStore store, long partSize, int concurrency) {
        if (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
            throw new StoreException("the upload part size must be in " + Sizes.format(MIN_PART_SIZE) + ".." + Sizes.format(MAX_PART_SIZE)
                    + " (S3's limits for a part), got " + Sizes.format(partSize));
        }
        if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
            throw new StoreException("the upload concurrency must be in 1.." + MAX_CONCURRENCY + ", got " + concurrency);
        }
        this.store = store;
        this.partSize = partSize;
        this.concurrency = concurrency;
    }

    /** The part size for a file of {@code size} bytes: the configured one, raised so the parts stay within {@link #MAX_PARTS}. */
    static long partSizeFor(long size, long configured) {
        long least = (size + MAX_PARTS - 1) / MAX_PARTS;
        return Math.max(configured, least);
    }

    /** Hashes the file (sha256 and MD5 in one pass), then uploads and verifies each copy. */
    public List<Result> push(Path file, List<Source> destinations, String architecture, String fileType, Progress progress) {
        if (!Files.isRegularFile(file)) {
            throw new StoreException("no such file: " + file);
        }
        long size = Transfer.sizeOf(file);
        FileDigests d = FileDigests.of(file, partSizeFor(size, partSize));
        Manifest manifest = new Manifest(d.sha256(), d.size(), architecture, fileType, Map.of());
        progress.note("pushing " + file.getFileName() + " (" + Sizes.format(d.size()) + ", sha256 " + d.sha256() + ") to "
                + destinations.size() + " destination(s)");
        List<Result> results = new ArrayList<>();
        for (Source dest : destinations) {
            try {
                switch (dest) {
                    case Source.S3 o -> pushS3(file, o, d, manifest, progress);
                    case Source.Local l -> pushLocal(file, l.path(), manifest);
                    default -> throw new StoreException("push can write to s3://BUCKET/KEY or a local path, not " + dest);
                }
                progress.note("pushed and verified " + dest);
                results.add(new Result(dest.toString(), null));
            } catch (StoreException e) {
                progress.note("push to " + dest + " failed: " + e.getMessage());
                results.add(new Result(dest.toString(), e.getMessage()));
            }
        }
        return results;
    }

    private void pushS3(Path file, Source.S3 dest, FileDigests d, Manifest manifest, Progress progress) {
        S3Client s3 = store.s3().client(dest);
        try {
            // ask first: a server refusing a missing bucket mid-upload just breaks the pipe, after sending gigabytes
            s3.headBucket(b -> b.bucket(dest.bucket()));
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() == 404) {
                throw new StoreException("bucket '" + dest.bucket() + "' does not exist at " + dest.where() + ": create it first", e);
            }
            throw new StoreException(describe(dest, e), e);
        } catch (SdkException e) {
            throw new StoreException(describe(dest, e), e);
        }
        try {
            if (d.parts() == 1) {
                s3.putObject(PutObjectRequest.builder().bucket(dest.bucket()).key(dest.key())
                        .contentLength(d.size()).contentMD5(d.md5Base64(0))
                        .metadata(Map.of("sha256", d.sha256())).build(), RequestBody.fromFile(file));
            } else {
                new MultipartUpload(s3, dest, file, d, concurrency, progress).run();
            }
            verify(s3, dest, d);
            s3.putObject(b -> b.bucket(dest.bucket()).key(dest.key() + Manifest.SUFFIX).contentType("application/json"),
                    RequestBody.fromBytes(manifest.toJson()));
        } catch (SdkException e) {
            throw new StoreException(describe(dest, e), e);
        }
    }

    /**
     * The server's size, our sha256 metadata, and the ETag, which S3 derives from the MD5s of what
     * it stored. A copy that does not match is deleted: a pull would only refuse it later.
     */
    private static void verify(S3Client s3, Source.S3 dest, FileDigests d) {
        HeadObjectResponse head = s3.headObject(b -> b.bucket(dest.bucket()).key(dest.key()));
        String etag = head.eTag() == null ? "" : head.eTag().replace("\"", "");
        String expected = d.expectedEtag();
        if (head.contentLength() != d.size() || !d.sha256().equals(head.metadata().get("sha256")) || !etag.equalsIgnoreCase(expected)) {
            s3.deleteObject(b -> b.bucket(dest.bucket()).key(dest.key()));
            throw new StoreException("the copy at " + dest + " does not match what was sent (size " + head.contentLength()
                    + " vs " + d.size() + ", ETag " + etag + " vs " + expected + "), so it was deleted; push again");
        }
    }

    static String describe(Source.S3 dest, Throwable e) {
        if (e instanceof software.amazon.awssdk.services.s3.model.S3Exception s3e) {
            String code = s3e.awsErrorDetails() != null ? s3e.awsErrorDetails().errorCode() : "HTTP " + s3e.statusCode();
            if ("NoSuchBucket".equals(code)) {
                return "bucket '" + dest.bucket() + "' does not exist at " + dest.where() + ": create it first";
            }
            if (s3e.statusCode() == 403) {
                return dest.where() + " refused the credentials (" + code + "): set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE to a key that may write s3://" + dest.bucket();
            }
            return dest.where() + " answered " + code;
        }
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return "cannot reach " + dest.where() + " (" + t.getMessage() + ")";
    }

    private static void pushLocal(Path file, Path dest, Manifest manifest) {
        Path target = Files.isDirectory(dest) ? dest.resolve(file.getFileName()) : dest;
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp" + ProcessHandle.current().pid());
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
            String sha = FileDigests.of(tmp, Long.MAX_VALUE).sha256();
            if (!sha.equals(manifest.sha256())) {
                Files.deleteIfExists(tmp);
                throw new StoreException("the copy at " + target + " does not match (sha256 " + sha + "); push again");
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Files.write(target.resolveSibling(target.getFileName() + Manifest.SUFFIX), manifest.toJson());
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // nothing more to do
            }
            throw new StoreException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }
}
