package ai.sluice.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * One file into one S3 object in parts (S3 takes at most 5 GiB in a single PUT): the parts go up
 * {@code concurrency} at a time, each with its Content-MD5 from the hashing pass and a CRC32 the
 * SDK computes while sending (declared on the upload, as S3 wants for the completion to list it).
 * Nothing is visible under the key until the completion; any failure before or in it aborts the
 * upload, so neither an object nor stored parts (which S3 bills until aborted) stay behind.
 */
final class MultipartUpload {
    private final S3Client s3;
    private final Source.S3 dest;
    private final Path file;
    private final FileDigests digests;
    private final int concurrency;
    private final Progress progress;
    private final AtomicInteger partsDone = new AtomicInteger();

    MultipartUpload(S3Client s3, Source.S3 dest, Path file, FileDigests digests, int concurrency, Progress progress) {
        this.s3 = s3;
        this.dest = dest;
        this.file = file;
        this.digests = digests;
        this.concurrency = concurrency;
        this.progress = progress;
    }

    /** A part that failed, and why. */
    private record PartFailure(int part, RuntimeException cause) {
    }

    void run() {
        String id = s3.createMultipartUpload(b -> b.bucket(dest.bucket()).key(dest.key())
                .metadata(Map.of("sha256", digests.sha256())).checksumAlgorithm(ChecksumAlgorithm.CRC32)).uploadId();
        progress.note("uploading to " + dest + " in " + digests.parts() + " parts of " + Sizes.format(digests.partSize())
                + ", " + Math.min(concurrency, digests.parts()) + " at a time");
        List<CompletedPart> parts;
        try {
            parts = uploadParts(id);
        } catch (PartFailed f) {
            throw new StoreException("part " + (f.failure.part + 1) + " of " + digests.parts() + " failed: "
                    + Pusher.describe(dest, f.failure.cause) + "; " + abort(id), f.failure.cause);
        }
        try {
            s3.completeMultipartUpload(b -> b.bucket(dest.bucket()).key(dest.key()).uploadId(id).multipartUpload(m -> m.parts(parts)));
        } catch (SdkException e) {
            throw new StoreException("completing the upload failed: " + Pusher.describe(dest, e) + "; " + abort(id), e);
        }
    }

    private static final class PartFailed extends Exception {
        final transient PartFailure failure;

        PartFailed(PartFailure failure) {
            super(null, failure.cause, false, false);
            this.failure = failure;
        }
    }

    private List<CompletedPart> uploadParts(String id) throws PartFailed {
        int n = digests.parts();
        AtomicReference<PartFailure> failed = new AtomicReference<>();
        List<Future<CompletedPart>> futures = new ArrayList<>();
        // closing the pool waits for the parts in flight, so the abort comes after the last of them
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.min(concurrency, n),
                Thread.ofPlatform().name("sluice-push-", 0).daemon(true).factory())) {
            for (int i = 0; i < n; i++) {
                int part = i;
                futures.add(pool.submit(() -> {
                    if (failed.get() != null) {
                        return null; // another part failed: send nothing more
                    }
                    try {
                        return uploadPart(id, part);
                    } catch (RuntimeException e) {
                        failed.compareAndSet(null, new PartFailure(part, e));
                        return null;
                    }
                }));
            }
        }
        if (failed.get() != null) {
            throw new PartFailed(failed.get());
        }
        List<CompletedPart> parts = new ArrayList<>(n);
        for (Future<CompletedPart> f : futures) {
            try {
                parts.add(f.get());
            } catch (InterruptedException | ExecutionException e) {
                throw new PartFailed(new PartFailure(parts.size(), new IllegalStateException(e)));
            }
        }
        return parts;
    }

    private CompletedPart uploadPart(String id, int part) {
        long from = digests.partStart(part);
        long to = digests.partEnd(part);
        UploadPartResponse r = s3.uploadPart(UploadPartRequest.builder().bucket(dest.bucket()).key(dest.key()).uploadId(id)
                        .partNumber(part + 1).contentLength(to - from).contentMD5(digests.md5Base64(part))
                        .checksumAlgorithm(ChecksumAlgorithm.CRC32).build(),
                RequestBody.fromContentProvider(() -> {
                    try {
                        return FileRange.open(file, from, to); // a fresh stream for each attempt
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
                    }
                }, to - from, "application/octet-stream"));
        reportPart();
        return CompletedPart.builder().partNumber(part + 1).eTag(r.eTag()).checksumCRC32(r.checksumCRC32()).build();
    }

    /** A line at every tenth of the parts: enough to see a long upload move, few enough for a log. */
    private void reportPart() {
        int done = partsDone.incrementAndGet();
        int n = digests.parts();
        if (done * 10 / n != (done - 1) * 10 / n) {
            progress.note("uploaded " + done + " of " + n + " parts to " + dest);
        }
    }

    private String abort(String id) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(dest.bucket()).key(dest.key()).uploadId(id));
            return "the multipart upload was aborted, nothing was written to " + dest;
        } catch (SdkException e) {
            return "aborting the multipart upload failed too (" + Pusher.describe(dest, e) + "): abort upload " + id
                    + " by hand (aws s3api abort-multipart-upload) or let a lifecycle rule for incomplete uploads remove its parts";
        }
    }
}
