package ai.sluice.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The resume journal's lines: which parts a new run may keep, and when it must start over. */
class JournalTest {
    private static final String HEADER = Journal.header(1000, 100, "ab".repeat(32), null);

    @TempDir
    Path tmp;

    private Path partial() throws Exception {
        Path p = tmp.resolve("m.part");
        Files.write(p, new byte[1000]);
        return p;
    }

    private static BitSet bits(int... parts) {
        BitSet b = new BitSet();
        for (int p : parts) {
            b.set(p);
        }
        return b;
    }

    @Test
    void theHeaderNamesTheObjectItDescribes() {
        assertThat(Journal.header(1000, 100, null, null)).isEqualTo("sluice-journal v1 1000 100 - -");
        assertThat(Journal.header(1000, 100, "f00d", "\"etag with space\"")).isEqualTo("sluice-journal v1 1000 100 f00d \"etag_with_space\"");
        assertThat(Journal.pathFor(Path.of("/c/partial/m.part"))).isEqualTo(Path.of("/c/partial/m.part.journal"));
    }

    @Test
    void aFreshPullWritesTheHeaderAndAppendsEachFinishedPart() throws Exception {
        Path partial = tmp.resolve("m.part");
        try (Journal j = Journal.open(partial, HEADER)) {
            assertThat(j.done().isEmpty()).isTrue();
            j.completed(3);
            j.completed(0);
            j.done().set(7); // a copy: the caller cannot mark parts done behind the journal's back
            assertThat(j.done()).isEqualTo(bits(0, 3));
        }
        assertThat(Files.readString(Journal.pathFor(partial))).isEqualTo(HEADER + "\n3\n0\n");
    }

    @Test
    void aMatchingJournalKeepsItsPartsAndSkipsATornLastLine() throws Exception {
        Path partial = partial();
        // "4" is what is left of "42" torn by a crash: it must not count as part 4
        Files.writeString(Journal.pathFor(partial), HEADER + "\n1\n2\n\nx\n7\n4", StandardCharsets.US_ASCII);
        try (Journal j = Journal.open(partial, HEADER)) {
            assertThat(j.done()).isEqualTo(bits(1, 2, 7));
            j.completed(9);
        }
        assertThat(partial).exists();
        // rewritten on opening, so the next number did not land after the torn "4" (as part 49)
        assertThat(Files.readString(Journal.pathFor(partial))).isEqualTo(HEADER + "\n1\n2\n7\n9\n");
        try (Journal j = Journal.open(partial, HEADER)) {
            assertThat(j.done()).isEqualTo(bits(1, 2, 7, 9));
        }
    }

    @Test
    void anotherObjectOrAMissingPartialFileMeansStartingOver() throws Exception {
        Path partial = partial();
        Files.writeString(Journal.pathFor(partial), Journal.header(1000, 200, "ab".repeat(32), null) + "\n1\n2\n");
        try (Journal j = Journal.open(partial, HEADER)) {
            assertThat(j.done().isEmpty()).isTrue();
        }
        assertThat(partial).doesNotExist(); // its bytes belong to the other object
        assertThat(Files.readString(Journal.pathFor(partial))).isEqualTo(HEADER + "\n");

        Files.writeString(Journal.pathFor(partial), HEADER + "\n1\n2\n");
        try (Journal j = Journal.open(partial, HEADER)) {
            assertThat(j.done().isEmpty()).isTrue(); // the parts it lists are gone with the file
        }
        assertThat(Files.readString(Journal.pathFor(partial))).isEqualTo(HEADER + "\n");
    }

    @Test
    void anEmptyOrHeaderlessJournalStartsOver() throws Exception {
        Path partial = partial();
        Files.writeString(Journal.pathFor(partial), "");
        try (Journal j = Journal.open(partial, HEADER)) {
            assertThat(j.done().isEmpty()).isTrue();
        }
        partial();
        Files.writeString(Journal.pathFor(partial), HEADER); // the header itself torn before its newline
        try (Journal j = Journal.open(partial, HEADER)) {
            assertThat(j.done().isEmpty()).isTrue();
        }
        assertThat(partial).doesNotExist();
    }

    @Test
    void onlyLinesEndedByANewlineCount() {
        assertThat(Journal.completeLines("")).isEmpty();
        assertThat(Journal.completeLines("abc")).isEmpty();
        assertThat(Journal.completeLines("a\n")).containsExactly("a");
        assertThat(Journal.completeLines("a\nb\n\nc")).containsExactly("a", "b", "");
    }
}
