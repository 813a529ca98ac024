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
    private final TextCursor in;

    private GbnfGrammar(String src) {
        this.in = new TextCursor(src, (where, what) ->
                new GrammarException("grammar", "GBNF grammar, line " + where.line() + ": " + what));
    }

    public static Grammar parse(String text) {
        GbnfGrammar p = new GbnfGrammar(text);
        GrammarBuilder b = new GrammarBuilder();
        p.skip(true);
        while (!p.in.atEnd()) {
            String name = p.name();
            p.skip(false);
            if (!p.in.accept("::=")) {
                throw p.in.error("'::=' expected after rule name '" + name + "'");
            }
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
        while (in.accept('|')) {
            skip(true);
            options.add(sequence());
        }
        return Expr.alt(options);
    }

    private Expr sequence() {
        List<Expr> parts = new ArrayList<>();
        while (!in.atEnd()) {
            char c = in.peek();
            if (c == '|' || c == ')' || c == '\n' || c == '\r') {
                break;
            }
            // a name followed by ::= starts the next rule (rules written on one line each)
            if (isNameChar(c) && nextIsDefinition()) {
                break;
            }
            parts.add(postfix(atom()));
            skip(in.nesting() > 0); // inside parentheses a newline does not end the rule
        }
        return Expr.seq(parts);
    }

    private boolean nextIsDefinition() {
        int k = 0;
        while (isNameChar(in.peek(k))) {
            k++;
        }
        while (in.peek(k) == ' ' || in.peek(k) == '\t') {
            k++;
        }
        return in.text().startsWith("::=", in.offset() + k);
    }

    private Expr postfix(Expr e) {
        while (true) {
            if (in.accept('*')) {
                e = Expr.star(e);
            } else if (in.accept('+')) {
                e = Expr.plus(e);
            } else if (in.accept('?')) {
                e = Expr.optional(e);
            } else if (in.accept('{')) {
                TextCursor.Bounds n = in.bounds(true);
                e = Expr.repeat(e, n.min(), n.max());
            } else {
                return e;
            }
        }
    }

    private Expr atom() {
        if (in.accept('"')) {
            StringBuilder sb = new StringBuilder();
            while (!in.atEnd() && !in.at('"')) {
                sb.appendCodePoint(charOrEscape());
            }
            if (!in.accept('"')) {
                throw in.error("unterminated string");
            }
            return sb.isEmpty() ? Expr.EMPTY : Expr.literal(sb.toString());
        }
        if (in.accept('[')) {
            boolean negate = in.accept('^');
            List<int[]> ranges = new ArrayList<>();
            while (!in.atEnd() && !in.at(']')) {
                int lo = charOrEscape();
                int hi = lo;
                if (in.atRangeDash()) {
                    in.skip(1);
                    hi = charOrEscape();
                }
                if (hi < lo) {
                    throw in.error("bad range in character class");
                }
                ranges.add(new int[] {lo, hi});
            }
            if (!in.accept(']')) {
                throw in.error("unterminated character class");
            }
            List<int[]> chars = negate ? Utf8.complement(ranges) : ranges;
            if (!Utf8.holdsACharacter(chars)) {
                throw in.error("the character class matches no character");
            }
            return Utf8.ranges(chars);
        }
        if (in.accept('(')) {
            in.enterGroup();
            skip(true);
            Expr e = alternatives();
            skip(true);
            in.expect(')');
            in.leaveGroup();
            return e;
        }
        if (in.accept('.')) {
            return Utf8.range(0, Utf8.MAX);
        }
        char c = in.peek();
        if (isNameChar(c)) {
            return Expr.ref(name());
        }
        throw in.error("unexpected '" + c + "'");
    }

    private int charOrEscape() {
        int cp = in.nextCodePoint();
        if (cp != '\\') {
            return cp;
        }
        if (in.atEnd()) {
            throw in.error("trailing backslash");
        }
        char e = in.next();
        return switch (e) {
            case 'n' -> '\n';
            case 't' -> '\t';
            case 'r' -> '\r';
            case 'x' -> in.hex(2);
            case 'u' -> in.hex(4);
            case 'U' -> in.hex(8);
            case '\\', '"', '[', ']', '-', '^', '/' -> e;
            default -> throw in.error("unknown escape '\\" + e + "'");
        };
    }

    private String name() {
        int start = in.offset();
        while (!in.atEnd() && isNameChar(in.peek())) {
            in.skip(1);
        }
        if (start == in.offset()) {
            throw in.error("a rule name was expected");
        }
        return in.text().substring(start, in.offset());
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    /** Skips spaces, tabs and comments; newlines too when {@code newlines}. */
    private void skip(boolean newlines) {
        while (!in.atEnd()) {
            char c = in.peek();
            if (c == ' ' || c == '\t' || (newlines && (c == '\n' || c == '\r'))) {
                in.skip(1);
            } else if (c == '#') {
                while (!in.atEnd() && !in.at('\n')) {
                    in.skip(1);
                }
            } else {
                return;
            }
        }
    }
}
