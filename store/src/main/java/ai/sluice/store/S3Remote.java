package ai.sluice.store;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** An object in an S3-compatible store, read with ranged GETs through the AWS SDK. */
final class S3Remote implements Remote {
    private final S3Client s3;
    private final Source.S3 source;

    S3Remote(S3Client s3, Source.S3 source) {
        this.s3 = s3;
        this.source = source;
    }

    @Override
    public String describe() {
        return source.toString();
    }

    @Override
    public Probe probe() throws SourceFailure {
        HeadObjectResponse head;
        try {
            head = s3.headObject(b -> b.bucket(source.bucket()).key(source.key()));
        } catch (SdkException e) {
            throw failure(e);
        }
        String sha = null;
        String shaFrom = null;
        Manifest manifest = manifest();
        if (manifest != null && manifest.sha256() != null) {
            sha = manifest.sha256().toLowerCase(Locale.ROOT);
            shaFrom = "manifest";
        } else {
            Map<String, String> meta = head.metadata();
            String m = meta.get("sha256");
            if (m != null && m.matches("[0-9a-fA-F]{64}")) {
                sha = m.toLowerCase(Locale.ROOT);
                shaFrom = "object metadata";
            }
        }
        return new Probe(head.contentLength(), sha, shaFrom, true, head.eTag());
    }

    private Manifest manifest() throws SourceFailure {
        try {
            byte[] bytes = s3.getObjectAsBytes(b -> b.bucket(source.bucket()).key(source.key() + Manifest.SUFFIX)).asByteArray();
            return Manifest.fromJson(bytes);
        } catch (NoSuchKeyException e) {
            return null;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw failure(e);
        } catch (SdkException e) {
            throw failure(e);
        } catch (IOException e) {
            return null; // a manifest we cannot read is no manifest: the object metadata may still say
        }
    }

    @Override
    public InputStream open(long from, long to) throws SourceFailure {
        try {
            return s3.getObject(GetObjectRequest.builder().bucket(source.bucket()).key(source.key())
                    .range("bytes=" + from + "-" + (to - 1)).build());
        } catch (SdkException e) {
            throw failure(e);
        }
    }

    /** SDK failures as one line that says what to do. */
    private SourceFailure failure(SdkException e) {
        String where = source.where();
        if (e instanceof S3Exception s3e) {
            String code = s3e.awsErrorDetails() != null ? s3e.awsErrorDetails().errorCode() : null;
            int status = s3e.statusCode();
            if (status == 404 || "NoSuchKey".equals(code) || "NoSuchBucket".equals(code)) {
                String what = "NoSuchBucket".equals(code) ? "bucket '" + source.bucket() + "'" : "s3://" + source.bucket() + "/" + source.key();
                return new SourceFailure(what + " not found at " + where + ": check the bucket and key (or push the model there first)", true, e);
            }
            if (status == 403 || status == 401 || "InvalidAccessKeyId".equals(code) || "SignatureDoesNotMatch".equals(code) || "AccessDenied".equals(code)) {
                return new SourceFailure(where + " refused the credentials for s3://" + source.bucket() + "/" + source.key()
                        + " (" + (code != null ? code : "HTTP " + status) + "): set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE to a key that may read it", true, e);
            }
            return new SourceFailure(where + " answered " + (code != null ? code : "HTTP " + status) + " for " + describe(), status < 500, e);
        }
        if (e instanceof SdkClientException && e.getMessage() != null && e.getMessage().contains("credentials")) {
            return new SourceFailure("no AWS credentials found for " + describe()
                    + ": set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)", true, e);
        }
        String cause = rootMessage(e);
        return new SourceFailure("cannot reach " + where + " for " + describe() + " (" + cause + ")", false, e);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }
}
