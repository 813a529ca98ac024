package ai.sluice.wire;

/**
 * Server-sent events, fed one line at a time (the line without its terminator). Collects the {@code data:} lines
 * of an event and hands them out, joined by newlines, at the blank line that ends it. Comments ({@code : ping})
 * and other fields ({@code event:}, {@code id:}, {@code retry:}) are skipped: OpenAI streams carry everything in
 * data. Not thread-safe; one per stream.
 */
public final class SseParser {
    private final StringBuilder data = new StringBuilder();
    private boolean hasData;

    /** Returns the data of the event this line completes, or null if the event is not complete yet. */
    public String accept(String line) {
        if (line.isEmpty()) {
            return dispatch();
        }
        if (line.startsWith(":")) {
            return null;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        if (!field.equals("data")) {
            return null;
        }
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        if (hasData) {
            data.append('\n');
        }
        data.append(value);
        hasData = true;
        return null;
    }

    /** At end of stream: the data of an event that was not closed by a blank line, or null. */
    public String finish() {
        return dispatch();
    }

    private String dispatch() {
        if (!hasData) {
            return null;
        }
        String event = data.toString();
        data.setLength(0);
        hasData = false;
        return event;
    }
}
