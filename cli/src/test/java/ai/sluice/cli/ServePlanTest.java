package ai.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** Plan and reality agree: the plan {@code serve} logs against what the real process holds. */
class ServePlanTest {
    private static final Pattern PLAN = Pattern.compile(
            "plan: weights ([\\d,]+) B \\+ KV ([\\d,]+) B .* = ([\\d,]+) B resident");
    private static final Pattern POOL = Pattern.compile("allocated KV pool ([\\d,]+) B");

    @Test
    @EnabledOnOs(OS.LINUX) // resident memory is read from /proc
    void kvPoolAndResidentMemoryAreWithinFivePercentOfThePlan(@TempDir Path dir) throws Exception {
        long budget = 1L << 30; // large enough that the KV pool, not JVM noise, is what is compared
        try (ServeProcess serve = ServeProcess.start(dir, "--kv-cache-memory", Long.toString(budget))) {
            // One request, so the weights have been read (they are mapped, resident once touched).
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(serve.base().resolve("/v1/completions"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"Once upon a time\",\"max_tokens\":16}"))
                            .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);

            String log = serve.logText();
            Matcher plan = PLAN.matcher(log);
            Matcher pool = POOL.matcher(log);
            assertThat(plan.find()).as(log).isTrue();
            assertThat(pool.find()).as(log).isTrue();
            long plannedKv = number(plan.group(2));
            long plannedResident = number(plan.group(3));
            long allocatedKv = number(pool.group(1));
            long resident = residentBytes(serve.process().pid());

            assertThat(log).as("the default KV type is f16 and the start-up says what the budget holds")
                    .containsPattern("KV cache \\(f16\\) holds [\\d,]+ tokens: [\\d,]+ full-length sequences of 2,048 tokens");
            assertThat(plannedKv).isGreaterThan(budget * 9 / 10).isLessThanOrEqualTo(budget);
            assertThat((double) allocatedKv).isCloseTo(plannedKv, within(plannedKv * 0.05));
            assertThat((double) resident).as("VmRSS vs planned resident %,d B", plannedResident)
                    .isCloseTo(plannedResident, within(plannedResident * 0.05));
        }
    }

    private static long number(String digits) {
        return Long.parseLong(digits.replace(",", ""));
    }

    /** VmRSS of a process, in bytes. */
    private static long residentBytes(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new AssertionError("no VmRSS for pid " + pid);
    }
}
