package ai.sluice.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.Locale;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One log format for the whole process: Sluice's own lines and every library's java.util.logging
 * records (Helidon's among them) become one line each on stderr, as text or as JSON for a log
 * collector. Without it Helidon's two-line records interleave with Sluice's.
 *
 * <p>Text: {@code sluice: MESSAGE} for Sluice's information lines (what operators read at start and
 * stop), {@code sluice: LEVEL: MESSAGE [LOGGER]} for warnings and for other libraries' records.
 * JSON: {@code {"time","level","logger","message","error"}}.
 */
final class LogLines {
    /** The format, chosen by {@code --log-format} or {@code $SLUICE_LOG_FORMAT}. */
    enum Format { TEXT, JSON }

    private static final ObjectMapper JSON = new ObjectMapper();

    private LogLines() {
    }

    /** The format from {@code $SLUICE_LOG_FORMAT} (text when unset). */
    static Format fromEnvironment() {
        String env = System.getenv("SLUICE_LOG_FORMAT");
        return env == null || env.isBlank() ? Format.TEXT : parse(env);
    }

    static Format parse(String name) {
        return switch (name.strip().toLowerCase(Locale.ROOT)) {
            case "text" -> Format.TEXT;
            case "json" -> Format.JSON;
            default -> throw new IllegalArgumentException("--log-format must be text or json, got '" + name + "'");
        };
    }

    /** Replaces the root logger's handlers with one that writes {@code format} lines to stderr. */
    static void install(Format format) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(Level.INFO);
        root.addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (isLoggable(r)) {
                    // the current System.err, so that a caller that swaps it (tests) gets the lines
                    System.err.println(format == Format.JSON ? json(r) : text(r));
                }
            }

            @Override
            public void flush() {
                System.err.flush();
            }

            @Override
            public void close() {
                flush();
            }
        });
    }

    static String text(LogRecord r) {
        String message = oneLine(message(r));
        String error = r.getThrown() == null ? "" : " (" + oneLine(r.getThrown().toString()) + ")";
        boolean ours = r.getLoggerName() != null && r.getLoggerName().startsWith("ai.sluice");
        if (ours && r.getLevel().intValue() <= Level.INFO.intValue()) {
            return "sluice: " + message + error;
        }
        return "sluice: " + r.getLevel().getName().toLowerCase(Locale.ROOT) + ": " + message + error
                + " [" + r.getLoggerName() + "]";
    }

    static String json(LogRecord r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("time", Instant.ofEpochMilli(r.getMillis()).toString());
        o.put("level", r.getLevel().getName());
        o.put("logger", r.getLoggerName());
        o.put("message", message(r));
        if (r.getThrown() != null) {
            o.put("error", r.getThrown().toString());
        }
        return o.toString();
    }

    private static String message(LogRecord r) {
        String m = r.getMessage();
        if (m == null) {
            return "";
        }
        Object[] params = r.getParameters();
        if (params != null && params.length > 0 && m.contains("{0")) {
            try {
                return java.text.MessageFormat.format(m, params);
            } catch (IllegalArgumentException e) {
                return m;
            }
        }
        return m;
    }

    private static String oneLine(String s) {
        return s.replace("\r", "").replace('\n', ' ').strip();
    }
}
