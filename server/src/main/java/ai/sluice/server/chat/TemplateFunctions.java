package ai.sluice.server.chat;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Global functions Hugging Face chat templates expect. Public only because Jinjava binds them by reflection. */
public final class TemplateFunctions {
    private TemplateFunctions() {
    }

    /** {@code raise_exception('...')}: the template rejects the conversation. */
    public static String raiseException(String message) {
        throw new ChatTemplateException(message);
    }

    /** {@code strftime_now('%d %b %Y')} (Llama 3.x templates put today's date in the system header). */
    public static String strftimeNow(String pythonFormat) {
        String javaPattern = pythonFormat
                .replace("%d", "dd").replace("%b", "MMM").replace("%B", "MMMM")
                .replace("%Y", "yyyy").replace("%m", "MM").replace("%H", "HH").replace("%M", "mm");
        return LocalDateTime.now().format(DateTimeFormatter.ofPattern(javaPattern, Locale.ROOT));
    }
}
