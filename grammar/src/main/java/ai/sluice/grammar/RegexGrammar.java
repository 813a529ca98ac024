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
    private final TextCursor in;
    private final boolean jsonString;

    /** A parsed pattern and whether it was anchored at its start ({@code ^}) and end ({@code $}). */
    public record Parsed(Expr expr, boolean anchoredStart, boolean anchoredEnd) {
    }

    private RegexGrammar(String src, String field, boolean jsonString) {
        this.in = new TextCursor(src, (where, what) -> new GrammarException(field,
                "cannot use the regular expression '" + where.text() + "': " + what + " (at offset " + where.offset() + ")"));
        this.jsonString = jsonString;
    }

    /** A grammar whose documents are exactly the full matches of {@code pattern}. */
    public static Grammar grammar(String pattern) {
        Parsed p = parse(pattern, "regex", false);
        return new GrammarBuilder().define("root", p.expr()).build("root");
    }

    public static Parsed parse(String pattern, String field, boolean jsonString) {
        RegexGrammar r = new RegexGrammar(pattern, field, jsonString);
        boolean start = r.in.accept('^');
        Expr e = r.alternation();
        boolean end = r.atEndAnchor();
        if (end) {
            r.in.skip(1);
        }
        if (!r.in.atEnd()) {
            throw r.in.error("unexpected '" + r.in.peek() + "'");
        }
        return new Parsed(e, start, end);
    }

    /** A {@code $} as the pattern's last char: the end anchor (anywhere else it is an error). */
    private boolean atEndAnchor() {
        return in.at('$') && in.offset() == in.text().length() - 1;
    }

    private Expr alternation() {
        List<Expr> options = new ArrayList<>();
        options.add(sequence());
        while (in.accept('|')) {
            options.add(sequence());
        }
        return Expr.alt(options);
    }

    private Expr sequence() {
        List<Expr> parts = new ArrayList<>();
        while (!in.atEnd() && !in.at('|') && !in.at(')') && !atEndAnchor()) {
            parts.add(quantified(atom()));
        }
        return Expr.seq(parts);
    }

    private Expr quantified(Expr atom) {
        while (true) {
            int min;
            int max;
            if (in.accept('*')) {
                min = 0;
                max = -1;
            } else if (in.accept('+')) {
                min = 1;
                max = -1;
            } else if (in.accept('?')) {
                min = 0;
                max = 1;
            } else if (in.at('{') && in.peek(1) >= '0' && in.peek(1) <= '9') {
                // a '{' not followed by a digit is a literal brace, as in ECMA-262 without 'u'
                in.skip(1);
                TextCursor.Bounds n = in.bounds(false);
                min = n.min();
                max = n.max();
            } else {
                return atom;
            }
            if (!in.accept('?')) {
                in.accept('+'); // lazy and possessive forms match the same strings
            }
            atom = Expr.repeat(atom, min, max);
        }
    }

    private Expr atom() {
        char c = in.peek();
        switch (c) {
            case '(' -> {
                in.skip(1);
                in.enterGroup();
                // non-capturing and named groups match as plain ones: captures change nothing here
                if (in.at('?') && !in.accept("?:")) {
                    if (!in.at("?<") || in.peek(2) == '=' || in.peek(2) == '!' || in.peek(2) == 0) {
                        throw in.error("lookaround and inline flags are not supported");
                    }
                    int close = in.text().indexOf('>', in.offset());
                    if (close < 0) {
                        throw in.error("unterminated group name");
                    }
                    in.moveTo(close + 1);
                }
                Expr e = alternation();
                in.expect(')');
                in.leaveGroup();
                return e;
            }
            case '[' -> {
                return characters(charClass());
            }
            case '.' -> {
                in.skip(1);
                return characters(Utf8.complement(List.of(new int[] {'\n', '\n'})));
            }
            case '\\' -> {
                in.skip(1);
                return escape();
            }
            case '^', '$' -> throw in.error("anchors are supported only at the start and end of the pattern");
            case '*', '+', '?' -> throw in.error("nothing to repeat before '" + c + "'");
            default -> {
                return codePoint(in.nextCodePoint());
            }
        }
    }

    private Expr escape() {
        if (in.atEnd()) {
            throw in.error("trailing backslash");
        }
        char c = in.peek();
        List<int[]> cls = classEscape(c);
        if (cls != null) {
            in.skip(1);
            return characters(cls);
        }
        if (c >= '1' && c <= '9') {
            throw in.error("backreferences are not supported");
        }
        if (c == 'b' || c == 'B' || c == 'A' || c == 'z' || c == 'Z') {
            throw in.error("'\\" + c + "' (an assertion) is not supported");
        }
        return codePoint(escapedCodePoint());
    }

    /** The code point of a single-character escape at the position (after the backslash); advances. */
    private int escapedCodePoint() {
        char c = in.next();
        return switch (c) {
            case 'n' -> '\n';
            case 't' -> '\t';
            case 'r' -> '\r';
            case 'f' -> '\f';
            case 'v' -> 0x0B;
            case '0' -> 0;
            case 'x' -> in.hex(2);
            case 'u' -> in.hex(4);
            default -> {
                if (Character.isLetterOrDigit(c)) {
                    throw in.error("unknown escape '\\" + c + "'");
                }
                yield c;
            }
        };
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
        in.expect('[');
        boolean negate = in.accept('^');
        List<int[]> ranges = new ArrayList<>();
        boolean first = true; // a ']' right after '[' or '[^' is a literal
        while (!in.atEnd() && (first || !in.at(']'))) {
            first = false;
            int lo;
            if (in.accept('\\')) {
                if (in.atEnd()) {
                    throw in.error("trailing backslash");
                }
                List<int[]> cls = classEscape(in.peek());
                if (cls != null) {
                    in.skip(1);
                    ranges.addAll(cls);
                    continue;
                }
                lo = escapedCodePoint();
            } else {
                lo = in.nextCodePoint();
            }
            int hi = lo;
            if (in.atRangeDash()) {
                in.skip(1);
                hi = in.accept('\\') ? escapedCodePoint() : in.nextCodePoint();
                if (hi < lo) {
                    throw in.error("bad range in character class");
                }
            }
            ranges.add(new int[] {lo, hi});
        }
        in.expect(']');
        return negate ? Utf8.complement(ranges) : ranges;
    }

    private Expr codePoint(int cp) {
        return characters(List.of(new int[] {cp, cp}));
    }

    /** Any one character of the ranges; in JSON-string mode as it is written inside a JSON string. */
    private Expr characters(List<int[]> ranges) {
        if (!Utf8.holdsACharacter(ranges)) {
            throw in.error("the character class matches no character");
        }
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
            for (int[] raw : JsonSchemaGrammar.RAW_IN_STRING) {
                addClipped(plain, lo, hi, raw[0], raw[1]);
            }
        }
        List<Expr> options = new ArrayList<>(escaped);
        if (!plain.isEmpty()) {
            options.add(Utf8.ranges(plain));
        }
        if (options.isEmpty()) {
            throw in.error("the character class matches only control characters, which JSON strings cannot hold raw");
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
}
