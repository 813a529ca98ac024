package ai.sluice.grammar;

/**
 * A read position in the source text of a grammar (GBNF) or a regular expression: the one home of the
 * character-level parsing both share (looking ahead, consuming, numbers, hex escapes, repetition
 * bounds) and of where an error happened. Each parser words its errors its own way (a GBNF grammar
 * names the line, a regular expression the offset) through the {@link Wording} it passes in, so every
 * error, whichever helper raises it, names the position the parser stopped at.
 */
final class TextCursor {
    /** How a parser words an error at the cursor's position. */
    @FunctionalInterface
    interface Wording {
        GrammarException at(TextCursor where, String what);
    }

    /** Repetition bounds read from {@code {m}}, {@code {m,}} or {@code {m,n}}; max -1 for unbounded. */
    record Bounds(int min, int max) {
    }

    /**
     * How deep groups may nest: the parsers descend one call chain per group, and the text comes from
     * a request, so the depth must not be the request's to choose (real grammars nest a few levels).
     */
    static final int MAX_NESTING = 256;

    private final String text;
    private final Wording wording;
    private int offset;
    private int nesting;

    TextCursor(String text, Wording wording) {
        this.text = text;
        this.wording = wording;
    }

    String text() {
        return text;
    }

    /** The position, in chars from the start. */
    int offset() {
        return offset;
    }

    /** The 1-based line of the position. */
    int line() {
        int line = 1;
        for (int k = 0; k < Math.min(offset, text.length()); k++) {
            if (text.charAt(k) == '\n') {
                line++;
            }
        }
        return line;
    }

    boolean atEnd() {
        return offset >= text.length();
    }

    /** The char at the position; the caller has checked {@link #atEnd()}. */
    char peek() {
        return text.charAt(offset);
    }

    /** The char {@code ahead} chars past the position, or {@code 0} past the end. */
    char peek(int ahead) {
        int k = offset + ahead;
        return k < text.length() ? text.charAt(k) : 0;
    }

    /** Whether the char at the position is {@code c}. */
    boolean at(char c) {
        return offset < text.length() && text.charAt(offset) == c;
    }

    /** Whether the text continues with {@code s} at the position. */
    boolean at(String s) {
        return text.startsWith(s, offset);
    }

    /**
     * Whether the position is at a {@code '-'} joining the two ends of a range in a character class:
     * one right before the closing {@code ']'} or the end is a plain dash.
     */
    boolean atRangeDash() {
        return at('-') && offset + 1 < text.length() && text.charAt(offset + 1) != ']';
    }

    /** Consumes {@code c} if it is next; says whether it was. */
    boolean accept(char c) {
        if (at(c)) {
            offset++;
            return true;
        }
        return false;
    }

    /** Consumes {@code s} if it is next; says whether it was. */
    boolean accept(String s) {
        if (at(s)) {
            offset += s.length();
            return true;
        }
        return false;
    }

    /** Consumes {@code c}, or fails with "'c' expected". */
    void expect(char c) {
        if (!accept(c)) {
            throw error("'" + c + "' expected");
        }
    }

    void skip(int chars) {
        offset += chars;
    }

    /** Moves to {@code to}, an offset the caller found in {@link #text()} at or after the position. */
    void moveTo(int to) {
        offset = to;
    }

    /** Consumes and returns one char; the caller has checked {@link #atEnd()}. */
    char next() {
        return text.charAt(offset++);
    }

    /** Consumes and returns one code point (a surrogate pair is one); the caller has checked {@link #atEnd()}. */
    int nextCodePoint() {
        int cp = text.codePointAt(offset);
        offset += Character.charCount(cp);
        return cp;
    }

    /** Skips spaces and tabs. */
    void skipBlanks() {
        while (at(' ') || at('\t')) {
            offset++;
        }
    }

    /** A run of decimal digits as a number; none is "a number was expected", too many digits an error too. */
    int number() {
        int start = offset;
        while (offset < text.length() && text.charAt(offset) >= '0' && text.charAt(offset) <= '9') {
            offset++;
        }
        if (start == offset) {
            throw error("a number was expected");
        }
        try {
            return Integer.parseInt(text, start, offset, 10);
        } catch (NumberFormatException e) {
            throw error("number too large");
        }
    }

    /** Exactly {@code digits} hex digits (the digits of an x, u or U escape) as a code point; else "bad hex escape". */
    int hex(int digits) {
        if (offset + digits > text.length()) {
            throw error("bad hex escape");
        }
        for (int k = offset; k < offset + digits; k++) {
            if (Character.digit(text.charAt(k), 16) < 0) {
                throw error("bad hex escape");
            }
        }
        long v = Long.parseLong(text, offset, offset + digits, 16);
        if (v > Utf8.MAX) {
            throw error("bad hex escape: " + Long.toHexString(v) + " is beyond Unicode");
        }
        offset += digits;
        return (int) v;
    }

    /**
     * Repetition bounds after an opening {@code '{'} (already consumed), up to and with the closing
     * {@code '}'}. With {@code blanks}, spaces and tabs may stand around the numbers (GBNF).
     */
    Bounds bounds(boolean blanks) {
        if (blanks) {
            skipBlanks();
        }
        int min = number();
        int max = min;
        if (blanks) {
            skipBlanks();
        }
        if (accept(',')) {
            if (blanks) {
                skipBlanks();
            }
            max = at('}') ? -1 : number();
            if (blanks) {
                skipBlanks();
            }
        }
        expect('}');
        if (max >= 0 && max < min) {
            throw error("bad repetition {" + min + "," + max + "}");
        }
        if (min > Expr.Repeat.MAX_COUNT || max > Expr.Repeat.MAX_COUNT) {
            throw error("repetition counts above " + Expr.Repeat.MAX_COUNT + " are not supported");
        }
        return new Bounds(min, max);
    }

    /** Enters a group; one nested more than {@link #MAX_NESTING} deep is an error. */
    void enterGroup() {
        if (nesting == MAX_NESTING) {
            throw error("groups nested more than " + MAX_NESTING + " deep are not supported");
        }
        nesting++;
    }

    void leaveGroup() {
        nesting--;
    }

    /** How many groups are open at the position. */
    int nesting() {
        return nesting;
    }

    /** An error at the position, in the parser's wording. */
    GrammarException error(String what) {
        return wording.at(this, what);
    }
}
