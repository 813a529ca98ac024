package ai.sluice.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {
    @Test
    void logsPlainLinesEveryTenPercentWhenNotOnATerminal() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ConsoleProgress p = new ConsoleProgress(new PrintStream(out, true, StandardCharsets.UTF_8), false, "sluice: ");
        p.started("m", 1000, 0, "s3://b/m.gguf");
        for (int done = 10; done <= 1000; done += 10) {
            p.advanced(done, 1000);
        }
        p.finished();
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).doesNotContain("\r").startsWith("sluice: pulling m (1000 B) from s3://b/m.gguf\n");
        assertThat(text.lines().filter(l -> l.startsWith("sluice: m: "))).hasSize(11); // 0%..100% by tens
        assertThat(text).contains("sluice: m: 100% (1000 B of 1000 B,");
    }

    @Test
    void redrawsOneBarOnATerminalAndEndsItBeforeANote() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ConsoleProgress p = new ConsoleProgress(new PrintStream(out, true, StandardCharsets.UTF_8), true, "");
        p.started("m", 2048, 1024, "hf://o/r/m.gguf");
        p.advanced(2048, 2048);
        p.note("verified sha256 abc");
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("resuming with 1.0 KiB already here")
                .contains("\rm [" + "=".repeat(30) + "] 100% 2.0 KiB / 2.0 KiB")
                .endsWith("\nverified sha256 abc\n");
    }

    @Test
    void anEmptyTransferIsDoneAtOnce() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ConsoleProgress bar = new ConsoleProgress(new PrintStream(out, true, StandardCharsets.UTF_8), true, "");
        bar.started("e", 0, 0, "x");
        bar.advanced(0, 0);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("\re [" + "=".repeat(30) + "] 100% 0 B / 0 B");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ConsoleProgress lines = new ConsoleProgress(new PrintStream(log, true, StandardCharsets.UTF_8), false, "> ");
        lines.started("e", 0, 0, "x");
        lines.advanced(0, 0);
        lines.note("done");
        assertThat(log.toString(StandardCharsets.UTF_8)).isEqualTo("> pulling e (0 B) from x\n> e: 100% (0 B of 0 B, 0 B/s)\n> done\n");
    }
}
