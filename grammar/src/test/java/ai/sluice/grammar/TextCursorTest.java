package ai.sluice.grammar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TextCursorTest {

    /** Errors that say where the cursor stood, so each test can check the position. */
    private static TextCursor cursor(String text) {
        return new TextCursor(text, (where, what) ->
                new GrammarException("f", what + " @" + where.offset() + " line " + where.line()));
    }

    @Test
    void acceptConsumesOnlyWhatIsNext() {
        TextCursor c = cursor("::=ab");
        assertThat(c.accept("::")).isTrue();
        assertThat(c.offset()).isEqualTo(2);
        assertThat(c.accept("=b")).isFalse();
        assertThat(c.offset()).isEqualTo(2);
        assertThat(c.accept('a')).isFalse();
        assertThat(c.accept('=')).isTrue();
        assertThat(c.at('a')).isTrue();
        assertThat(c.at("ab")).isTrue();
        assertThat(c.peek(1)).isEqualTo('b');
        assertThat(c.peek(2)).as("past the end").isEqualTo((char) 0);
        assertThat(c.next()).isEqualTo('a');
        assertThat(c.next()).isEqualTo('b');
        assertThat(c.atEnd()).isTrue();
        assertThat(c.at('b')).as("nothing is next at the end").isFalse();
        assertThat(c.accept('b')).isFalse();
    }

    @Test
    void expectFailsAtThePositionItStoppedAt() {
        TextCursor c = cursor("(a\nb");
        c.expect('(');
        c.skip(2);
        assertThatThrownBy(() -> c.expect(')')).isInstanceOf(GrammarException.class)
                .hasMessage("')' expected @3 line 2");
        assertThat(c.offset()).isEqualTo(3);
    }

    @Test
    void linesCountTheNewlinesBeforeThePosition() {
        TextCursor c = cursor("a\nb\n\nc");
        assertThat(c.line()).isEqualTo(1);
        c.skip(1);
        assertThat(c.line()).as("on the newline itself").isEqualTo(1);
        c.skip(1);
        assertThat(c.line()).isEqualTo(2);
        c.moveTo(5);
        assertThat(c.line()).isEqualTo(4);
        assertThat(c.peek()).isEqualTo('c');
    }

    @Test
    void codePointsOutsideTheBmpAreOneStep() {
        TextCursor c = cursor("😀x");
        assertThat(c.nextCodePoint()).isEqualTo(0x1F600);
        assertThat(c.offset()).isEqualTo(2);
        assertThat(c.nextCodePoint()).isEqualTo('x');
    }

    @Test
    void numbersAreAsciiDigitRuns() {
        TextCursor c = cursor("0042,7");
        assertThat(c.number()).isEqualTo(42);
        assertThat(c.at(',')).isTrue();
        assertThatThrownBy(c::number).hasMessage("a number was expected @4 line 1");
        assertThatThrownBy(() -> cursor("٣").number()).as("an Arabic-Indic digit is not a number here")
                .hasMessageStartingWith("a number was expected");
        assertThatThrownBy(() -> cursor("99999999999").number()).hasMessageStartingWith("number too large");
        assertThat(cursor("2147483647").number()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void hexTakesExactlyTheDigitsAsked() {
        TextCursor c = cursor("e9ff");
        assertThat(c.hex(2)).isEqualTo(0xE9);
        assertThat(c.offset()).isEqualTo(2);
        assertThat(cursor("0010FFFF").hex(8)).isEqualTo(0x10FFFF);
        assertThat(cursor("00Ab").hex(4)).isEqualTo(0xAB);
        assertThatThrownBy(() -> cursor("e").hex(2)).hasMessage("bad hex escape @0 line 1");
        assertThatThrownBy(() -> cursor("eg").hex(2)).hasMessageStartingWith("bad hex escape");
        assertThatThrownBy(() -> cursor("+1").hex(2)).as("no sign").hasMessageStartingWith("bad hex escape");
        assertThatThrownBy(() -> cursor("-001").hex(4)).as("no sign").hasMessageStartingWith("bad hex escape");
        assertThatThrownBy(() -> cursor("00110000").hex(8)).hasMessageContaining("beyond Unicode");
        assertThatThrownBy(() -> cursor("FFFFFFFF").hex(8)).hasMessageContaining("beyond Unicode");
    }

    @Test
    void boundsReadTheThreeForms() {
        assertThat(cursor("3}").bounds(false)).isEqualTo(new TextCursor.Bounds(3, 3));
        assertThat(cursor("2,}").bounds(false)).isEqualTo(new TextCursor.Bounds(2, -1));
        assertThat(cursor("2,5}").bounds(false)).isEqualTo(new TextCursor.Bounds(2, 5));
        assertThat(cursor(" 2 , 5 }").bounds(true)).isEqualTo(new TextCursor.Bounds(2, 5));
        assertThat(cursor("\t2 ,}").bounds(true)).isEqualTo(new TextCursor.Bounds(2, -1));
        TextCursor after = cursor("1,2}x");
        after.bounds(false);
        assertThat(after.peek()).as("the closing brace is consumed").isEqualTo('x');
    }

    @Test
    void badBoundsAreErrors() {
        assertThatThrownBy(() -> cursor(" 2}").bounds(false)).hasMessageStartingWith("a number was expected");
        assertThatThrownBy(() -> cursor("2 }").bounds(false)).hasMessage("'}' expected @1 line 1");
        assertThatThrownBy(() -> cursor("2,5").bounds(false)).hasMessage("'}' expected @3 line 1");
        assertThatThrownBy(() -> cursor("5,2}").bounds(false)).hasMessageStartingWith("bad repetition {5,2}");
        assertThat(cursor("2,2}").bounds(false)).isEqualTo(new TextCursor.Bounds(2, 2));
        assertThat(cursor("0,0}").bounds(false)).isEqualTo(new TextCursor.Bounds(0, 0));
        assertThatThrownBy(() -> cursor("1,0}").bounds(false)).hasMessageStartingWith("bad repetition {1,0}");
        int max = Expr.Repeat.MAX_COUNT;
        assertThat(cursor(max + "}").bounds(false)).isEqualTo(new TextCursor.Bounds(max, max));
        assertThat(cursor("0," + max + "}").bounds(false)).isEqualTo(new TextCursor.Bounds(0, max));
        assertThatThrownBy(() -> cursor((max + 1) + "}").bounds(false)).hasMessageContaining("above " + max);
        assertThatThrownBy(() -> cursor("0," + (max + 1) + "}").bounds(false)).hasMessageContaining("above " + max);
        assertThatThrownBy(() -> cursor((max + 1) + ",}").bounds(false)).hasMessageContaining("above " + max);
    }

    @Test
    void aRangeDashJoinsTwoEnds() {
        assertThat(cursor("-z]").atRangeDash()).isTrue();
        assertThat(cursor("-]").atRangeDash()).as("a dash before ']' is plain").isFalse();
        assertThat(cursor("-").atRangeDash()).as("a dash at the end is plain").isFalse();
        assertThat(cursor("a-z").atRangeDash()).isFalse();
    }

    @Test
    void groupsNestUpToTheLimit() {
        TextCursor c = cursor("x");
        for (int i = 0; i < TextCursor.MAX_NESTING; i++) {
            c.enterGroup();
        }
        assertThat(c.nesting()).isEqualTo(TextCursor.MAX_NESTING);
        assertThatThrownBy(c::enterGroup).hasMessageStartingWith("groups nested more than " + TextCursor.MAX_NESTING);
        c.leaveGroup();
        assertThat(c.nesting()).isEqualTo(TextCursor.MAX_NESTING - 1);
        c.enterGroup();
    }

    @Test
    void blanksAreSpacesAndTabsOnly() {
        TextCursor c = cursor(" \t \nx");
        c.skipBlanks();
        assertThat(c.offset()).isEqualTo(3);
        c.skipBlanks();
        assertThat(c.offset()).isEqualTo(3);
    }
}
