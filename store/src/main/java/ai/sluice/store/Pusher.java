package ai.sluice.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
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
 * S3 uploads are single PUTs through the SDK (up to 5 GiB per object, S3's limit for one PUT).
 */
public final class Pusher {
    private final ModelStore store;

    /** How one destination went: {@code error} null when the copy is there and verified. */
    public record Result(String destination, String error) {
        public boolean ok() {
            return error == null;
        }
    }

    public Pusher(ModelStore store) {
        this.store = store;
    }

    /** Hashes the file (sha256 and MD5 in one pass), then uploads and verifies each copy. */
    public List<Result> push(Path file, List<Source> destinations, String architecture, String fileType, Progress progress) {
        if (!Files.isRegularFile(file)) {
            throw new StoreException("no such file: " + file);
        }
        Digests d = digests(file);
        Manifest manifest = new Manifest(d.sha256, d.size, architecture, fileType, Map.of());
        progress.note("pushing " + file.getFileName() + " (" + Sizes.format(d.size) + ", sha256 " + d.sha256 + ") to "
                + destinations.size() + " destination(s)");
        List<Result> results = new ArrayList<>();
        for (Source dest : destinations) {
            try {
                switch (dest) {
                    case Source.S3 o -> pushS3(file, o, d, manifest);
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

    private void pushS3(Path file, Source.S3 dest, Digests d, Manifest manifest) {
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
            s3.putObject(PutObjectRequest.builder().bucket(dest.bucket()).key(dest.key())
                    .contentLength(d.size).contentMD5(Base64.getEncoder().encodeToString(d.md5))
                    .metadata(Map.of("sha256", d.sha256)).build(), RequestBody.fromFile(file));
            // verify: the server's size, our sha256 metadata, and the ETag, which S3 sets to the MD5 of what it stored
            HeadObjectResponse head = s3.headObject(b -> b.bucket(dest.bucket()).key(dest.key()));
            String etag = head.eTag() == null ? "" : head.eTag().replace("\"", "");
            String md5 = HexFormat.of().formatHex(d.md5);
            if (head.contentLength() != d.size || !d.sha256.equals(head.metadata().get("sha256")) || !etag.equalsIgnoreCase(md5)) {
                throw new StoreException("the copy at " + dest + " does not match what was sent (size " + head.contentLength()
                        + " vs " + d.size + ", ETag " + etag + " vs MD5 " + md5 + "); push again");
            }
            s3.putObject(b -> b.bucket(dest.bucket()).key(dest.key() + Manifest.SUFFIX).contentType("application/json"),
                    RequestBody.fromBytes(manifest.toJson()));
        } catch (SdkException e) {
            throw new StoreException(describe(dest, e), e);
        }
    }

    private static String describe(Source.S3 dest, SdkException e) {
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
            String sha = digests(tmp).sha256;
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

    private record Digests(String sha256, byte[] md5, long size) {
    }

    private static Digests digests(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            byte[] buf = new byte[1 << 20];
            long size = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
                md5.update(buf, 0, n);
                size += n;
            }
            return new Digests(HexFormat.of().formatHex(sha.digest()), md5.digest(), size);
        } catch (IOException e) {
            throw new StoreException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
