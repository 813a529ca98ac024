package ai.sluice.cuda.check;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What the device check prints, kept to be written to files at the end (the device machine keeps nothing). */
final class Report {
    /** One correctness check. */
    record Check(String name, double error, double tolerance, String detail) {
        boolean passed() {
            return error <= tolerance; // NaN fails
        }
    }

    /** One bandwidth or throughput measurement. */
    record Timing(String kernel, String type, String shape, String mode, double micros, double gbPerSecond,
            double percentOfRoofline, String extra) {
    }

    private final StringBuilder log = new StringBuilder();
    /** Where each line is appended as it is printed (so a run stopped by a time limit keeps what it did), or null. */
    private Path live;

    /** Appends every line from now on to {@code dir}/device-check.log as well. */
    void liveTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        live = dir.resolve("device-check.log");
        Files.writeString(live, log);
    }
    private final List<Check> checks = new ArrayList<>();
    private final List<Timing> timings = new ArrayList<>();

    void line(String format, Object... args) {
        String s = String.format(Locale.ROOT, format, args);
        System.out.println(s);
        System.out.flush();
        log.append(s).append('\n');
        if (live != null) {
            try {
                Files.writeString(live, s + "\n", java.nio.file.StandardOpenOption.APPEND);
            } catch (IOException e) {
                live = null; // the console still has it
            }
        }
    }

    void check(String name, double error, double tolerance, String detail) {
        Check c = new Check(name, error, tolerance, detail);
        checks.add(c);
        line("%s %-34s rel_err %-10s (tol %.0e) %s", c.passed() ? "PASS" : "FAIL", name,
                Double.isNaN(error) ? "NaN" : String.format(Locale.ROOT, "%.2e", error), tolerance, detail);
    }

    void failed(String name, Throwable t) {
        checks.add(new Check(name, Double.NaN, 0, t.toString()));
        line("FAIL %-34s %s", name, t);
    }

    void timing(Timing t) {
        timings.add(t);
        line("TIME %-10s %-5s %-12s %-22s %9.1f us %8.1f GB/s %5.1f%% %s", t.kernel(), t.type(), t.shape(), t.mode(),
                t.micros(), t.gbPerSecond(), t.percentOfRoofline(), t.extra());
    }

    int failures() {
        int n = 0;
        for (Check c : checks) {
            if (!c.passed()) {
                n++;
            }
        }
        return n;
    }

    int checks() {
        return checks.size();
    }

    void summary() {
        line("");
        line("== summary: %d checks, %d failed ==", checks.size(), failures());
        for (Check c : checks) {
            if (!c.passed()) {
                line("  failed: %s (%s)", c.name(), c.detail());
            }
        }
        if (!timings.isEmpty()) {
            line("%-10s %-5s %-12s %-22s %10s %9s %7s", "kernel", "type", "shape", "mode", "us", "GB/s", "roof%");
            for (Timing t : timings) {
                line("%-10s %-5s %-12s %-22s %10.1f %9.1f %6.1f%%", t.kernel(), t.type(), t.shape(), t.mode(), t.micros(),
                        t.gbPerSecond(), t.percentOfRoofline());
            }
        }
    }

    /** Writes the whole log and a tab-separated table of the timings into {@code dir}. */
    void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("device-check.log"), log);
        StringBuilder tsv = new StringBuilder("kernel\ttype\tshape\tmode\tmicros\tgb_per_s\troofline_percent\textra\n");
        for (Timing t : timings) {
            tsv.append(String.join("\t", t.kernel(), t.type(), t.shape(), t.mode(),
                    String.format(Locale.ROOT, "%.2f", t.micros()), String.format(Locale.ROOT, "%.1f", t.gbPerSecond()),
                    String.format(Locale.ROOT, "%.1f", t.percentOfRoofline()), t.extra())).append('\n');
        }
        Files.writeString(dir.resolve("device-check-timings.tsv"), tsv);
    }
}
