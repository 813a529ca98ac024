package ai.sluice.gateway;

import ai.sluice.wire.CompletionChunk;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;

/** How the JDK's HTTP client says a call failed, read for the retry decision and said in one line for the log. */
final class IoFailures {
    private IoFailures() {
    }

    /** The JDK client's words for a connection that closed before any response byte (typically a stale kept-alive one). */
    static boolean isStale(IOException e) {
        String m = e.getMessage();
        return e instanceof EOFException || (m != null && m.contains("received no bytes"));
    }

    /** Nothing listens there: certain about the replica, unlike a timeout. */
    static boolean isRefused(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }

    static String describe(IOException e) {
        if (e instanceof HttpTimeoutException) {
            return "timed out (" + e.getMessage() + ")";
        }
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    static String abbreviate(byte[] body) {
        return CompletionChunk.abbreviate(new String(body, StandardCharsets.UTF_8));
    }
}
