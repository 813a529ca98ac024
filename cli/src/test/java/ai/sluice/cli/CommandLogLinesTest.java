package ai.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The commands that run a model log as serve does: the one "Q8_0/Q4_0 kernels" record is one
 * {@code sluice: ...} line on stderr, not java.util.logging's default two (a date-and-class line, then
 * {@code INFO: ...}). A real process each, as a user runs it: the kernel choice is logged once per JVM,
 * so an in-process run would miss it after the first test that loads a model.
 */
class CommandLogLinesTest {

    @Test
    void generateLogsTheKernelChoiceAsOneLine() throws Exception {
        // bench-engine, eval and the other commands set up logging in the same place (Main.run)
        String model = GenerateCommandTest.shared().resolve("models/derived/stories260K-q8_0.gguf").toString();
        assertOneKernelLine(run("generate", "--model", model, "--prompt", "Lily", "--max-tokens", "4",
                "--temperature", "0", "--threads", "1"));
    }

    private static void assertOneKernelLine(String stderr) {
        List<String> lines = stderr.lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")).toList();
        assertThat(lines.stream().filter(l -> l.contains("Q8_0/Q4_0 kernels:")))
                .as(stderr).singleElement().asString().startsWith("sluice: Q8_0/Q4_0 kernels: ");
        assertThat(lines).as(stderr).noneMatch(l -> l.startsWith("INFO: ") || l.contains(" ai.sluice.core.tensor.CpuBackend "));
    }

    /** Runs the CLI in a fresh JVM with the launcher's flags; returns its stderr after checking it succeeded. */
    private static String run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().remove("SLUICE_LOG_FORMAT");
        Process process = builder.start();
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("%s finished", args[0]).isTrue();
        assertThat(process.exitValue()).as("%s exit code; stderr: %s", args[0], stderr).isZero();
        return stderr;
    }
}
