package ai.sluice.grammar;

import java.util.ArrayList;
import java.util.List;

/**
 * Regular expressions (the common subset: literals, {@code .}, classes with ranges and negation,
 * {@code \d \w \s} and their negations, groups, alternation, {@code * + ? {n} {n,} {n,m}}, anchors at
 * the ends) compiled to grammar expressions over the UTF-8 bytes of the matches. Anything else
 * (backreferences, lookaround, anchors inside) is a {@link GrammarException}.
 *
 * <p>In JSON-string mode the expression describes the match as it appears inside a JSON string:
 * quote, backslash and control characters become their escapes, as a JSON Schema {@code pattern}
 * constrains the decoded string while the model writes the encoded one.
 */
public final class RegexGrammar {
    private final String src;
    private final String field;
    private final boolean jsonString;
    private int i;

    /** A parsed pattern and whether it was anchored at its start ({@code ^}) and end ({@code $}). */
    public record Parsed(Expr expr, boolean anchoredStart, boolean anchoredEnd) {
    }

    private RegexGrammar(String src, String field, boolean jsonString) {
        this.src = src;
        this.field = field;
        this.jsonString = jsonString;
    }

    /** A grammar whose documents are exactly the full matches of {@code pattern}. */
    public static Grammar grammar(String pattern) {
        Parsed p = parse(pattern, "regex", false);
        return new GrammarBuilder().define("root", p.expr()).build("root");
    }

    public static Parsed parse(String pattern, String field, boolean jsonString) {
        RegexGrammar r = new RegexGrammar(pattern, field, jsonString);
        boolean start = false;
        if (r.peek('^')) {
            r.i++;
            start = true;
        }
        Expr e = r.alternation();
        boolean end = false;
        if (r.i < r.src.length() && r.src.charAt(r.i) == '$' && r.i == r.src.length() - 1) {
            r.i++;
            end = true;
        }
        if (r.i < r.src.length()) {
            throw r.error("unexpected '" + r.src.charAt(r.i) + "'");
        }
        return new Parsed(e, start, end);
    }

    private Expr alternation() {
        List<Expr> options = new ArrayList<>();
        options.add(sequence());
        while (peek('|')) {
            i++;
            options.add(sequence());
        }
        return Expr.alt(options);
    }

    private Expr sequence() {
        List<Expr> parts = new ArrayList<>();
        while (i < src.length()) {
            char c = src.charAt(i);
            if (c == '|' || c == ')') {
                break;
            }
            if (c == '$' && i == src.length() - 1) {
                break; // end anchor, handled by the caller
            }
            parts.add(quantified(atom()));
        }
        return Expr.seq(parts);
    }

    private Expr quantified(Expr atom) {
        while (i < src.length()) {
            char c = src.charAt(i);
            int min;
            int max;
            if (c == '*') {
                min = 0;
                max = -1;
                i++;
            } else if (c == '+') {
                min = 1;
                max = -1;
                i++;
            } else if (c == '?') {
                min = 0;
                max = 1;
                i++;
            } else if (c == '{' && i + 1 < src.length() && Character.isDigit(src.charAt(i + 1))) {
                i++;
                min = number();
                max = min;
                if (peek(',')) {
                    i++;
                    max = peek('}') ? -1 : number();
                }
                expect('}');
                if (max >= 0 && max < min) {
                    throw error("bad repetition {" + min + "," + max + "}");
                }
            } else {
                return atom;
            }
            if (peek('?') || peek('+')) {
                i++; // lazy and possessive forms match the same strings
            }
            atom = Expr.repeat(atom, min, max);
        }
        return atom;
    }

    private int number() {
        int start = i;
        while (i < src.length() && Character.isDigit(src.charAt(i))) {
            i++;
        }
        if (start == i) {
            throw error("a number was expected");
        }
        try {
            return Integer.parseInt(src.substring(start, i));
        } catch (NumberFormatException e) {
            throw error("repetition count too large");
        }
    }

    private Expr atom() {
        char c = src.charAt(i);
        switch (c) {
            case '(' -> {
                i++;
                if (peek('?')) {
                    if (src.startsWith("?:", i)) {
                        i += 2;
                    } else if (src.startsWith("?<", i) && i + 2 < src.length() && src.charAt(i + 2) != '='
                            && src.charAt(i + 2) != '!') {
                        int close = src.indexOf('>', i);
                        if (close < 0) {
                            throw error("unterminated group name");
                        }
                        i = close + 1;
                    } else {
                        throw error("lookaround and inline flags are not supported");
                    }
                }
                Expr e = alternation();
                expect(')');
                return e;
            }
            case '[' -> {
                return characters(charClass());
            }
            case '.' -> {
                i++;
                return characters(Utf8.complement(List.of(new int[] {'\n', '\n'})));
            }
            case '\\' -> {
                i++;
                return escape();
            }
            case '^', '$' -> throw error("anchors are supported only at the start and end of the pattern");
            case '*', '+', '?' -> throw error("nothing to repeat before '" + c + "'");
            default -> {
                int cp = src.codePointAt(i);
                i += Character.charCount(cp);
                return codePoint(cp);
            }
        }
    }

    private Expr escape() {
        if (i >= src.length()) {
            throw error("trailing backslash");
        }
        char c = src.charAt(i);
        List<int[]> cls = classEscape(c);
        if (cls != null) {
            i++;
            return characters(cls);
        }
        if (Character.isDigit(c) && c != '0') {
            throw error("backreferences are not supported");
        }
        if (c == 'b' || c == 'B' || c == 'A' || c == 'z' || c == 'Z') {
            throw error("'\\" + c + "' (an assertion) is not supported");
        }
        return codePoint(escapedCodePoint());
    }

    /** The code point of a single-character escape at {@code i} (after the backslash); advances. */
    private int escapedCodePoint() {
        char c = src.charAt(i++);
        return switch (c) {
            case 'n' -> '\n';
            case 't' -> '\t';
            case 'r' -> '\r';
            case 'f' -> '\f';
            case 'v' -> 0x0B;
            case '0' -> 0;
            case 'x' -> hex(2);
            case 'u' -> hex(4);
            default -> {
                if (Character.isLetterOrDigit(c)) {
                    throw error("unknown escape '\\" + c + "'");
                }
                yield c;
            }
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

    /** \d \w \s and negations as code point ranges (ASCII definitions, as JSON Schema's ECMA-262 without 'u'). */
    private static List<int[]> classEscape(char c) {
        List<int[]> d = List.of(new int[] {'0', '9'});
        List<int[]> w = List.of(new int[] {'0', '9'}, new int[] {'A', 'Z'}, new int[] {'_', '_'}, new int[] {'a', 'z'});
        List<int[]> s = List.of(new int[] {'\t', '\r'}, new int[] {' ', ' '});
        return switch (c) {
            case 'd' -> d;
            case 'D' -> Utf8.complement(d);
            case 'w' -> w;
            case 'W' -> Utf8.complement(w);
            case 's' -> s;
            case 'S' -> Utf8.complement(s);
            default -> null;
        };
    }

    private List<int[]> charClass() {
        expect('[');
        boolean negate = false;
        if (peek('^')) {
            negate = true;
            i++;
        }
        List<int[]> ranges = new ArrayList<>();
        boolean first = true;
        while (i < src.length() && (src.charAt(i) != ']' || first)) {
            first = false;
            int lo;
            if (src.charAt(i) == '\\') {
                i++;
                if (i >= src.length()) {
                    throw error("trailing backslash");
                }
                List<int[]> cls = classEscape(src.charAt(i));
                if (cls != null) {
                    i++;
                    ranges.addAll(cls);
                    continue;
                }
                lo = escapedCodePoint();
            } else {
                lo = src.codePointAt(i);
                i += Character.charCount(lo);
            }
            int hi = lo;
            if (peek('-') && i + 1 < src.length() && src.charAt(i + 1) != ']') {
                i++;
                if (src.charAt(i) == '\\') {
                    i++;
                    hi = escapedCodePoint();
                } else {
                    hi = src.codePointAt(i);
                    i += Character.charCount(hi);
                }
                if (hi < lo) {
                    throw error("bad range in character class");
                }
            }
            ranges.add(new int[] {lo, hi});
        }
        expect(']');
        return negate ? Utf8.complement(ranges) : ranges;
    }

    private Expr codePoint(int cp) {
        return characters(List.of(new int[] {cp, cp}));
    }

    /** Any one character of the ranges; in JSON-string mode as it is written inside a JSON string. */
    private Expr characters(List<int[]> ranges) {
        if (!jsonString) {
            return Utf8.ranges(ranges);
        }
        List<int[]> plain = new ArrayList<>();
        List<Expr> escaped = new ArrayList<>();
        for (int[] r : ranges) {
            int lo = r[0];
            int hi = r[1];
            for (int special : new int[] {'"', '\\', '\n', '\t', '\r'}) {
                if (lo <= special && special <= hi) {
                    escaped.add(Expr.literal(switch (special) {
                        case '"' -> "\\\"";
                        case '\\' -> "\\\\";
                        case '\n' -> "\\n";
                        case '\t' -> "\\t";
                        default -> "\\r";
                    }));
                }
            }
            // what may appear raw: no control characters, no quote, no backslash
            addClipped(plain, lo, hi, 0x20, 0x21);
            addClipped(plain, lo, hi, 0x23, 0x5B);
            addClipped(plain, lo, hi, 0x5D, Utf8.MAX);
        }
        List<Expr> options = new ArrayList<>(escaped);
        if (!plain.isEmpty()) {
            options.add(Utf8.ranges(plain));
        }
        if (options.isEmpty()) {
            throw error("the character class matches only control characters, which JSON strings cannot hold raw");
        }
        return Expr.alt(options);
    }

    private static void addClipped(List<int[]> out, int lo, int hi, int from, int to) {
        int a = Math.max(lo, from);
        int b = Math.min(hi, to);
        if (a <= b) {
            out.add(new int[] {a, b});
        }
    }

    private boolean peek(char c) {
        return i < src.length() && src.charAt(i) == c;
    }

    private void expect(char c) {
        if (!peek(c)) {
            throw error("'" + c + "' expected");
        }
        i++;
    }

    private GrammarException error(String what) {
        return new GrammarException(field, "cannot use the regular expression '" + src + "': " + what
                + " (at offset " + i + ")");
    }
}
