package ai.sluice.grammar;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A grammar expression over bytes, as the compilers (JSON Schema, regex, GBNF) build it before
 * {@link GrammarBuilder} lowers it to flat rules.
 */
public sealed interface Expr {

    /** One byte from a set. */
    record Bytes(ByteSet set) implements Expr {
    }

    /** The parts one after another; empty is the empty string. */
    record Seq(List<Expr> parts) implements Expr {
    }

    /** Any one of the options. */
    record Alt(List<Expr> options) implements Expr {
    }

    /** A named rule (may be recursive; may be defined later). */
    record Ref(String rule) implements Expr {
    }

    /** {@code body} from {@code min} to {@code max} times; max -1 for unbounded. */
    record Repeat(Expr body, int min, int max) implements Expr {
        /**
         * The largest count a request may ask for (regex and GBNF {@code {m,n}}, JSON Schema item and
         * length bounds): bounded repetitions are unrolled into rules, so the count sets the grammar's size.
         */
        public static final int MAX_COUNT = 4096;

        public Repeat {
            if (min < 0 || (max >= 0 && max < min)) {
                throw new IllegalArgumentException("bad repetition {" + min + "," + max + "}");
            }
        }
    }

    Expr EMPTY = new Seq(List.of());

    static Expr seq(Expr... parts) {
        return parts.length == 1 ? parts[0] : new Seq(List.of(parts));
    }

    static Expr seq(List<Expr> parts) {
        return parts.size() == 1 ? parts.getFirst() : new Seq(List.copyOf(parts));
    }

    static Expr alt(Expr... options) {
        return options.length == 1 ? options[0] : new Alt(List.of(options));
    }

    static Expr alt(List<Expr> options) {
        return options.size() == 1 ? options.getFirst() : new Alt(List.copyOf(options));
    }

    static Expr ref(String rule) {
        return new Ref(rule);
    }

    static Expr optional(Expr e) {
        return new Repeat(e, 0, 1);
    }

    static Expr star(Expr e) {
        return new Repeat(e, 0, -1);
    }

    static Expr plus(Expr e) {
        return new Repeat(e, 1, -1);
    }

    static Expr repeat(Expr e, int min, int max) {
        return new Repeat(e, min, max);
    }

    static Expr bytes(ByteSet set) {
        return new Bytes(set);
    }

    /** The UTF-8 bytes of {@code text}, literally. */
    static Expr literal(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        List<Expr> parts = new ArrayList<>(b.length);
        for (byte x : b) {
            parts.add(new Bytes(ByteSet.of(x & 0xFF)));
        }
        return seq(parts);
    }
}
