package ai.sluice.wire;

import java.nio.charset.StandardCharsets;

/**
 * Server-sent event framing as OpenAI streams use it: every event is one {@code data:} line and a blank line;
 * the stream ends with {@code data: [DONE]}.
 */
public final class Sse {
    /** What ends an OpenAI stream. */
    public static final String DONE = "[DONE]";
    /** The content type of a stream. */
    public static final String CONTENT_TYPE = "text/event-stream";

    private static final byte[] DONE_EVENT = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private Sse() {
    }

    /**
     * One event carrying {@code data}. A payload with line breaks becomes several {@code data:} lines, which a
     * reader ({@link SseParser}) joins again.
     */
    public static byte[] event(String data) {
        StringBuilder out = new StringBuilder(data.length() + 8);
        for (String line : data.split("\r\n|\r|\n", -1)) {
            out.append("data: ").append(line).append('\n');
        }
        return out.append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The {@code data: [DONE]} event. */
    public static byte[] done() {
        return DONE_EVENT.clone();
    }
}
