package ai.sluice.gateway;

import java.io.IOException;
import java.time.Duration;

/** A response body read piece by piece with a stall timeout: a replica's as it arrives, or a translation of one. */
interface BodySource {
    /** The next bytes, or null at the end; throws on a stall longer than {@code stall} or a broken connection. */
    byte[] next(Duration stall) throws IOException;

    /** Reads the whole body (a non-streamed answer), each piece within {@code stall}. */
    default byte[] readAll(Duration stall) throws IOException {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (byte[] piece = next(stall); piece != null; piece = next(stall)) {
            all.writeBytes(piece);
        }
        return all.toByteArray();
    }

    /** Stops reading and closes the upstream connection. */
    void cancel();
}
