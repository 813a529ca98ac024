package ai.sluice.server.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python string methods that chat templates call ({@code content.strip()},
 * {@code role.startswith('sys')}), turned into Jinjava filters. The rewrite is textual and applies
 * only inside {@code {{ }}} and {@code {% %}} tags: {@code x.strip()} becomes {@code x|py_strip()}.
 * A method call binds to the primary before it exactly as a filter does, so precedence is kept.
 */
final class PythonMethods {
    private PythonMethods() {
    }

    private static final Map<String, String> METHOD_TO_FILTER = Map.ofEntries(
            Map.entry("strip", "py_strip"),
            Map.entry("lstrip", "py_lstrip"),
            Map.entry("rstrip", "py_rstrip"),
            Map.entry("startswith", "py_startswith"),
            Map.entry("endswith", "py_endswith"),
            Map.entry("split", "py_split"),
            Map.entry("upper", "upper"),
            Map.entry("lower", "lower"),
            Map.entry("title", "title"),
            Map.entry("replace", "replace"));

    private static final Pattern TAG = Pattern.compile("\\{\\{.*?}}|\\{%.*?%}", Pattern.DOTALL);
    private static final Pattern METHOD_CALL = Pattern.compile(
            "\\.(" + String.join("|", METHOD_TO_FILTER.keySet()) + ")\\(");

    static String rewrite(String template) {
        Matcher tags = TAG.matcher(template);
        StringBuilder out = new StringBuilder(template.length() + 64);
        while (tags.find()) {
            Matcher calls = METHOD_CALL.matcher(tags.group());
            String replaced = calls.replaceAll(m -> "|" + METHOD_TO_FILTER.get(m.group(1)) + "(");
            tags.appendReplacement(out, Matcher.quoteReplacement(replaced));
        }
        tags.appendTail(out);
        return out.toString();
    }

    static void registerFilters(Jinjava jinjava) {
        register(jinjava, "py_strip", (s, a) -> strip(s, a, true, true));
        register(jinjava, "py_lstrip", (s, a) -> strip(s, a, true, false));
        register(jinjava, "py_rstrip", (s, a) -> strip(s, a, false, true));
        register(jinjava, "py_startswith", (s, a) -> s.startsWith(arg(a, 0)));
        register(jinjava, "py_endswith", (s, a) -> s.endsWith(arg(a, 0)));
        register(jinjava, "py_split", PythonMethods::split);
    }

    private static void register(Jinjava jinjava, String name, BiFunction<String, Object[], Object> fn) {
        jinjava.getGlobalContext().registerFilter(new Filter() {
            @Override
            public String getName() {
                return name;
            }

            @Override
            public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
                return fn.apply(var == null ? "" : var.toString(), args);
            }

            @Override
            public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
                return fn.apply(var == null ? "" : var.toString(), args);
            }
        });
    }

    private static String arg(Object[] args, int i) {
        if (args.length <= i || args[i] == null) {
            throw new ChatTemplateException("missing argument " + (i + 1) + " of a string method in the chat template");
        }
        return args[i].toString();
    }

    /** Python's str.strip([chars]): without chars, whitespace. */
    private static String strip(String s, Object[] args, boolean left, boolean right) {
        String chars = args.length > 0 && args[0] != null ? args[0].toString() : null;
        int start = 0;
        int end = s.length();
        if (left) {
            while (start < end && stripped(s.charAt(start), chars)) {
                start++;
            }
        }
        if (right) {
            while (end > start && stripped(s.charAt(end - 1), chars)) {
                end--;
            }
        }
        return s.substring(start, end);
    }

    private static boolean stripped(char c, String chars) {
        return chars == null ? Character.isWhitespace(c) : chars.indexOf(c) >= 0;
    }

    /** Python's str.split([sep]): without sep, runs of whitespace, no empty strings. */
    private static List<String> split(String s, Object[] args) {
        if (args.length == 0 || args[0] == null) {
            String t = s.strip();
            return t.isEmpty() ? List.of() : Arrays.asList(t.split("\\s+"));
        }
        String sep = args[0].toString();
        List<String> parts = new ArrayList<>();
        int from = 0;
        int at;
        while ((at = s.indexOf(sep, from)) >= 0) {
            parts.add(s.substring(from, at));
            from = at + sep.length();
        }
        parts.add(s.substring(from));
        return parts;
    }
}
