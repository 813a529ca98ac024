package ai.sluice.store;

import java.io.IOException;
import java.io.InputStream;

/** One place a model's bytes can be read from (one mirror): what it holds and ranges of it. */
interface Remote {
    /** For messages: the source as the user wrote it. */
    String describe();

    /** Size, the published sha256 if any, and whether ranged reads work. */
    Probe probe() throws SourceFailure;

    /** Bytes [from, to) of the object; may end early on a failure (the caller notices the short read). */
    InputStream open(long from, long to) throws SourceFailure;

    /**
     * @param sha256       lowercase hex, from a manifest or the object's metadata; null when nobody published one
     * @param shaFrom      where the sha256 came from, for messages ("manifest", "object metadata", ...)
     * @param ranges       whether {@link #open} honours ranges (else only from 0, in one stream)
     * @param version      the object's ETag or similar, so a resume notices a replaced object; may be null
     */
    record Probe(long size, String sha256, String shaFrom, boolean ranges, String version) {
    }

    /** A source failed. {@code permanent}: retrying this source cannot help (not found, refused credentials). */
    final class SourceFailure extends IOException {
        private final boolean permanent;

        SourceFailure(String message, boolean permanent, Throwable cause) {
            super(message, cause);
            this.permanent = permanent;
        }

        boolean permanent() {
            return permanent;
        }
    }
}
