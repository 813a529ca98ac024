package ai.sluice.server.api;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * Typed, range-checked reads of request fields. Absent and JSON null both mean "use the default";
 * a wrong type or an out-of-range value is a 400 that names the parameter.
 */
final class Params {
    private final JsonNode body;

    Params(JsonNode body) {
        this.body = body;
    }

    boolean has(String name) {
        JsonNode n = body.get(name);
        return n != null && !n.isNull();
    }

    JsonNode node(String name) {
        return body.get(name);
    }

    Integer integer(String name, long min, long max) {
        JsonNode n = body.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() && !(n.isNumber() && n.asDouble() == Math.rint(n.asDouble()))) {
            throw ApiException.invalid(name, "'" + name + "' must be an integer, got " + describe(n));
        }
        long v = n.asLong();
        if (v < min || v > max || !n.canConvertToLong()) {
            throw ApiException.invalid(name, "'" + name + "' must be between " + min + " and " + max + ", got " + n);
        }
        return (int) v;
    }

    int integer(String name, long min, long max, int defaultValue) {
        Integer v = integer(name, min, max);
        return v == null ? defaultValue : v;
    }

    Long longValue(String name) {
        JsonNode n = body.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw ApiException.invalid(name, "'" + name + "' must be a 64-bit integer, got " + describe(n));
        }
        return n.asLong();
    }

    /** A number in [min, max]; {@code minExclusive} makes the lower bound open. */
    float number(String name, double min, boolean minExclusive, double max, float defaultValue) {
        JsonNode n = body.get(name);
        if (n == null || n.isNull()) {
            return defaultValue;
        }
        if (!n.isNumber()) {
            throw ApiException.invalid(name, "'" + name + "' must be a number, got " + describe(n));
        }
        double v = n.asDouble();
        boolean below = minExclusive ? v <= min : v < min;
        if (below || v > max || Double.isNaN(v)) {
            throw ApiException.invalid(name, "'" + name + "' must be " + (minExclusive ? "> " : ">= ") + fmt(min)
                    + " and <= " + fmt(max) + ", got " + n);
        }
        return (float) v;
    }

    boolean bool(String name, boolean defaultValue) {
        JsonNode n = body.get(name);
        if (n == null || n.isNull()) {
            return defaultValue;
        }
        if (!n.isBoolean()) {
            throw ApiException.invalid(name, "'" + name + "' must be a boolean, got " + describe(n));
        }
        return n.asBoolean();
    }

    String string(String name) {
        JsonNode n = body.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw ApiException.invalid(name, "'" + name + "' must be a string, got " + describe(n));
        }
        return n.asText();
    }

    /**
     * A string or a list of strings (as OpenAI's {@code stop}), at most {@code maxItems} of at most
     * {@code maxChars} characters each.
     */
    List<String> stringOrList(String name, int maxItems, int maxChars) {
        JsonNode n = body.get(name);
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (n.isTextual()) {
            checkLength(name, n.asText(), maxChars);
            return n.asText().isEmpty() ? List.of() : List.of(n.asText());
        }
        if (!n.isArray()) {
            throw ApiException.invalid(name, "'" + name + "' must be a string or a list of strings, got " + describe(n));
        }
        if (n.size() > maxItems) {
            throw ApiException.invalid(name, "'" + name + "' may hold at most " + maxItems + " items, got " + n.size());
        }
        List<String> out = new ArrayList<>(n.size());
        for (JsonNode item : n) {
            if (!item.isTextual()) {
                throw ApiException.invalid(name, "'" + name + "' must hold only strings, got " + describe(item));
            }
            checkLength(name, item.asText(), maxChars);
            if (!item.asText().isEmpty()) {
                out.add(item.asText());
            }
        }
        return out;
    }

    private static void checkLength(String name, String value, int maxChars) {
        if (value.length() > maxChars) {
            throw ApiException.invalid(name, "each '" + name + "' string may be at most " + maxChars
                    + " characters long, got " + value.length());
        }
    }

    /** A list of integers in [min, max]. */
    int[] intList(String name, int min, int max) {
        JsonNode n = body.get(name);
        if (n == null || n.isNull()) {
            return new int[0];
        }
        if (!n.isArray()) {
            throw ApiException.invalid(name, "'" + name + "' must be a list of integers, got " + describe(n));
        }
        return ints(name, n, min, max);
    }

    static int[] ints(String name, JsonNode array, int min, int max) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode item = array.get(i);
            if (!item.isIntegralNumber()) {
                throw ApiException.invalid(name, "'" + name + "' must hold only integers, got " + describe(item));
            }
            long v = item.asLong();
            if (v < min || v > max) {
                throw ApiException.invalid(name, "'" + name + "' holds " + v + ", outside " + min + ".." + max);
            }
            out[i] = (int) v;
        }
        return out;
    }

    static String describe(JsonNode n) {
        return switch (n.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> n.isIntegralNumber() ? "an integer" : "a number";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "a list";
            case OBJECT -> "an object";
            default -> n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
