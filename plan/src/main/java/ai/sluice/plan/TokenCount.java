package ai.sluice.plan;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Token counts as people write them: {@code 8192}, {@code 8,192}, {@code 8k}, {@code 128K}, {@code 1m}. A {@code k}
 * is 1024 tokens and an {@code m} 1024 x 1024, as llama.cpp and model cards mean a context ({@code 8k} = 8192,
 * {@code 128k} = 131072), not 1000.
 */
public final class TokenCount {
    private static final Pattern FORMAT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([km]?)");

    private TokenCount() {
    }

    public static int parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT).replace(",", "").replace("_", "");
        Matcher m = FORMAT.matcher(t);
        if (!m.matches()) {
            throw new PlanException("not a token count: '" + text + "' (use e.g. 8192 or 8k; k = 1024)");
        }
        double scale = switch (m.group(2)) {
            case "k" -> 1024;
            case "m" -> 1024 * 1024;
            default -> 1;
        };
        double tokens = Double.parseDouble(m.group(1)) * scale;
        if (tokens != Math.rint(tokens) || tokens > Integer.MAX_VALUE) {
            throw new PlanException("not a whole token count: '" + text + "' (" + tokens + " tokens)");
        }
        return (int) tokens;
    }
}
