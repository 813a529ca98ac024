package ai.sluice.grammar;

import java.util.ArrayList;
import java.util.List;

/**
 * llama.cpp's GBNF grammar format: {@code name ::= alternatives}, string literals with escapes,
 * character classes (with {@code ^} negation and ranges), {@code .}, rule references, groups and the
 * repetitions {@code * + ? {m} {m,} {m,n}}, {@code #} comments. The rule {@code root} is the start. A
 * rule ends at a newline unless the newline follows {@code ::=} or {@code |}, or sits inside
 * parentheses. Errors are {@link GrammarException}s with the line.
 */
public final class GbnfGrammar {
    private final String src;
    private int i;
    private int depth;

    private GbnfGrammar(String src) {
        this.src = src;
    }

    public static Grammar parse(String text) {
        GbnfGrammar p = new GbnfGrammar(text);
        GrammarBuilder b = new GrammarBuilder();
        p.skip(true);
        while (p.i < p.src.length()) {
            String name = p.name();
            p.skip(false);
            if (!p.src.startsWith("::=", p.i)) {
                throw p.error("'::=' expected after rule name '" + name + "'");
            }
            p.i += 3;
            p.skip(true);
            b.define(name, p.alternatives());
            p.skip(true);
        }
        if (!b.has("root")) {
            throw new GrammarException("grammar", "the grammar has no 'root' rule");
        }
        return b.build("root");
    }

    private Expr alternatives() {
        List<Expr> options = new ArrayList<>();
        options.add(sequence());
        while (peek('|')) {
            i++;
            skip(true);
            options.add(sequence());
        }
        return Expr.alt(options);
    }

    private Expr sequence() {
        List<Expr> parts = new ArrayList<>();
        while (i < src.length()) {
            char c = src.charAt(i);
            if (c == '|' || c == ')' || c == '\n' || c == '\r') {
                break;
            }
            // a name followed by ::= starts the next rule (rules written on one line each)
            if (isNameChar(c) && nextIsDefinition()) {
                break;
            }
            parts.add(postfix(atom()));
            skip(depth > 0);
        }
        return Expr.seq(parts);
    }

    private boolean nextIsDefinition() {
        int j = i;
        while (j < src.length() && isNameChar(src.charAt(j))) {
            j++;
        }
        while (j < src.length() && (src.charAt(j) == ' ' || src.charAt(j) == '\t')) {
            j++;
        }
        return src.startsWith("::=", j);
    }

    private Expr postfix(Expr e) {
        while (i < src.length()) {
            char c = src.charAt(i);
            if (c == '*') {
                e = Expr.star(e);
            } else if (c == '+') {
                e = Expr.plus(e);
            } else if (c == '?') {
                e = Expr.optional(e);
            } else if (c == '{') {
                i++;
                skip(false);
                int min = number();
                int max = min;
                skip(false);
                if (peek(',')) {
                    i++;
                    skip(false);
                    max = peek('}') ? -1 : number();
                    skip(false);
                }
                if (!peek('}')) {
                    throw error("'}' expected");
                }
                if (max >= 0 && max < min) {
                    throw error("bad repetition {" + min + "," + max + "}");
                }
                e = Expr.repeat(e, min, max);
            } else {
                return e;
            }
            i++;
        }
        return e;
    }

    private Expr atom() {
        char c = src.charAt(i);
        if (c == '"') {
            i++;
            StringBuilder sb = new StringBuilder();
            while (i < src.length() && src.charAt(i) != '"') {
                sb.appendCodePoint(charOrEscape());
            }
            if (!peek('"')) {
                throw error("unterminated string");
            }
            i++;
            return sb.isEmpty() ? Expr.EMPTY : Expr.literal(sb.toString());
        }
        if (c == '[') {
            i++;
            boolean negate = peek('^');
            if (negate) {
                i++;
            }
            List<int[]> ranges = new ArrayList<>();
            while (i < src.length() && src.charAt(i) != ']') {
                int lo = charOrEscape();
                int hi = lo;
                if (peek('-') && i + 1 < src.length() && src.charAt(i + 1) != ']') {
                    i++;
                    hi = charOrEscape();
                }
                if (hi < lo) {
                    throw error("bad range in character class");
                }
                ranges.add(new int[] {lo, hi});
            }
            if (!peek(']')) {
                throw error("unterminated character class");
            }
            i++;
            return Utf8.ranges(negate ? Utf8.complement(ranges) : ranges);
        }
        if (c == '(') {
            i++;
            depth++;
            skip(true);
            Expr e = alternatives();
            skip(true);
            if (!peek(')')) {
                throw error("')' expected");
            }
            i++;
            depth--;
            return e;
        }
        if (c == '.') {
            i++;
            return Utf8.range(0, Utf8.MAX);
        }
        if (isNameChar(c)) {
            return Expr.ref(name());
        }
        throw error("unexpected '" + c + "'");
    }

    private int charOrEscape() {
        int cp = src.codePointAt(i);
        i += Character.charCount(cp);
        if (cp != '\\') {
            return cp;
        }
        if (i >= src.length()) {
            throw error("trailing backslash");
        }
        char e = src.charAt(i++);
        return switch (e) {
            case 'n' -> '\n';
            case 't' -> '\t';
            case 'r' -> '\r';
            case 'x' -> hex(2);
            case 'u' -> hex(4);
            case 'U' -> hex(8);
            case '\\', '"', '[', ']', '-', '^', '/' -> e;
            default -> throw error("unknown escape '\\" + e + "'");
        };
    }

    private int hex(int n) {
        if (i + n > src.length()) {
            throw error("bad hex escape");
        }
        try {
            int v = Integer.parseInt(src.substring(i, i + n), 16);
            i += n;
            return v;
        } catch (NumberFormatException e) {
            throw error("bad hex escape");
        }
    }

    private int number() {
        int start = i;
        while (i < src.length() && Character.isDigit(src.charAt(i))) {
            i++;
        }
        if (start == i) {
            throw error("a number was expected");
        }
        return Integer.parseInt(src.substring(start, i));
    }

    private String name() {
        int start = i;
        while (i < src.length() && isNameChar(src.charAt(i))) {
            i++;
        }
        if (start == i) {
            throw error("a rule name was expected");
        }
        return src.substring(start, i);
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    /** Skips spaces, tabs and comments; newlines too when {@code newlines}. */
    private void skip(boolean newlines) {
        while (i < src.length()) {
            char c = src.charAt(i);
            if (c == ' ' || c == '\t' || (newlines && (c == '\n' || c == '\r'))) {
                i++;
            } else if (c == '#') {
                while (i < src.length() && src.charAt(i) != '\n') {
                    i++;
                }
            } else {
                return;
            }
        }
    }

    private boolean peek(char c) {
        return i < src.length() && src.charAt(i) == c;
    }

    private GrammarException error(String what) {
        int line = 1;
        for (int k = 0; k < Math.min(i, src.length()); k++) {
            if (src.charAt(k) == '\n') {
                line++;
            }
        }
        return new GrammarException("grammar", "GBNF grammar, line " + line + ": " + what);
    }
}
