package ai.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sluice.core.quant.eval.QuantEval;
import ai.sluice.plan.HardwareCatalog;
import ai.sluice.plan.KvPrecision;
import ai.sluice.plan.ModelCatalog;
import ai.sluice.plan.ModelSpec;
import ai.sluice.plan.PlanRequest;
import ai.sluice.plan.Planner;
import ai.sluice.plan.Precision;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Engine, core and plan name their own settings in their messages; what the CLI user reads names the
 * flags. These are the messages the lower layers really throw, translated as {@link Main} prints them.
 */
class SettingFlagsTest {
    private static final Path STORIES = Path.of(System.getProperty("sluice.shared", "../shared"))
            .toAbsolutePath().resolve("models/stories260K.gguf");
    private static final ModelCatalog MODELS = ModelCatalog.builtIn();
    private static final HardwareCatalog HARDWARE = HardwareCatalog.builtIn();

    private static String cliMessage(Runnable failing) {
        try {
            failing.run();
        } catch (RuntimeException e) {
            return SettingFlags.translate(e.getMessage());
        }
        throw new AssertionError("no exception");
    }

    @Test
    void planMessagesNameThePlanFlags() {
        ModelSpec m = MODELS.find("mistral-7b");
        var l4 = HARDWARE.find("l4");
        assertThat(cliMessage(() -> new PlanRequest(m, Precision.BF16, KvPrecision.F16, 1024, 0, l4, 0.4, 36, null)))
                .isEqualTo("--concurrency must be at least 1, got 0");
        assertThat(cliMessage(() -> new PlanRequest(m, Precision.BF16, KvPrecision.F16, 1024, 1, l4, 1.5, 36, null)))
                .isEqualTo("--utilization must be in (0, 1], got 1.5");
        assertThat(cliMessage(() -> new PlanRequest(m, Precision.BF16, KvPrecision.F16, 0, 1, l4, 0.4, 36, null)))
                .isEqualTo("--context must be at least 1 token, got 0");
        assertThat(cliMessage(() -> new PlanRequest(m, Precision.BF16, KvPrecision.F16, 1024, 1, l4, 0.4, 0, null)))
                .isEqualTo("--amortization-months must be at least 1, got 0");
        assertThat(cliMessage(() -> new PlanRequest(m, Precision.BF16, KvPrecision.F16, 1024, 1, l4, 0.4, 36, -1.0)))
                .isEqualTo("--electricity-usd-per-kwh must not be negative");
        assertThat(cliMessage(() -> new PlanRequest(MODELS.find("llama-2-7b"), Precision.BF16, KvPrecision.F16, 8192, 1,
                l4, 0.4, 36, null)))
                .isEqualTo("--context 8192 exceeds llama-2-7b's trained context of 4096 tokens; use --context 4096 or less");
        assertThat(cliMessage(() -> Planner.plan(new PlanRequest(MODELS.find("llama-3.1-405b"), Precision.BF16,
                KvPrecision.F16, 131_072, 64, l4, 0.4, 36, null))))
                .contains("use a smaller --precision (e.g. q4_k), a shorter --context, a lower --concurrency,");
        assertThat(cliMessage(() -> MODELS.find("no-such-model"))).endsWith("(or give a GGUF file with --model)");
        assertThat(cliMessage(() -> HARDWARE.find("no-such-card"))).endsWith("(add your own with --hardware-file)");
    }

    @Test
    void evalMessagesNameCtx() {
        assertThat(cliMessage(() -> new QuantEval.Options(2, -1))).isEqualTo("--ctx must be at least 4, got 2");
    }

    @Test
    void serverAddressMessagesNameHostAndPort() {
        CliRun badHost = CliRun.of("serve", "--model", STORIES.toString(), "--host", "127.0.0.1,,::1", "--port", "0",
                "--no-warmup");
        assertThat(badHost.exitCode()).isNotZero();
        assertThat(badHost.err()).contains("--host must be an address").doesNotContain("ServerConfig");
        CliRun noPort = CliRun.of("serve", "--model", STORIES.toString(), "--host", "127.0.0.1,::1", "--port", "0",
                "--no-warmup");
        assertThat(noPort.exitCode()).isNotZero();
        assertThat(noPort.err()).contains("need a fixed --port").doesNotContain("ServerConfig");
    }

    @Test
    void engineSizingMessagesNameTheServeFlags() {
        CliRun tooLong = CliRun.of("serve", "--model", STORIES.toString(), "--port", "0", "--no-warmup",
                "--max-model-len", "100000");
        assertThat(tooLong.exitCode()).isEqualTo(1);
        assertThat(tooLong.err()).contains("; lower --max-model-len to at most 2048").doesNotContain("EngineConfig");

        CliRun tooSmall = CliRun.of("serve", "--model", STORIES.toString(), "--port", "0", "--no-warmup",
                "--kv-cache-memory", "1000000", "--kv-cache-type", "f32"); // f32: the advice also offers f16
        assertThat(tooSmall.exitCode()).isEqualTo(1);
        assertThat(tooSmall.err()).contains("raise --kv-cache-memory to at least", "lower --max-model-len to at most",
                "or use --kv-cache-type f16").doesNotContain("EngineConfig");
    }
}
