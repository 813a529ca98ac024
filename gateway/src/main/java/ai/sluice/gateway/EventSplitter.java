package ai.sluice.gateway;

import ai.sluice.wire.SseParser;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a byte stream into server-sent events as the bytes arrive, keeping each event's raw bytes (relayed
 * unchanged) beside its data (read to follow the stream). Pieces may split events and lines anywhere.
 */
final class EventSplitter {
    /** One event: its bytes as received, and its data ({@code null} for a comment such as {@code : ping}). */
    record Event(byte[] raw, String data) {
    }

    private final SseParser parser = new SseParser();
    private final ByteArrayOutputStream event = new ByteArrayOutputStream();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    List<Event> feed(byte[] piece) {
        List<Event> out = new ArrayList<>(2);
        for (byte b : piece) {
            event.write(b);
            if (b != '\n') {
                line.write(b);
                continue;
            }
            byte[] l = line.toByteArray();
            line.reset();
            int n = l.length > 0 && l[l.length - 1] == '\r' ? l.length - 1 : l.length;
            String text = new String(l, 0, n, StandardCharsets.UTF_8);
            String data = parser.accept(text);
            if (text.isEmpty()) {
                out.add(new Event(event.toByteArray(), data));
                event.reset();
            }
        }
        return out;
    }
}
