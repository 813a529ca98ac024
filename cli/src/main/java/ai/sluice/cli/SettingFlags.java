package ai.sluice.cli;

import java.util.Map;

/**
 * The command line's names for the settings the lower layers name in their messages. Engine, core
 * and plan speak of their own API ({@code "lower EngineConfig.maxModelLen to at most 128"}), which is
 * what a library user changes; the CLI user changes a flag, so every error line the CLI prints is
 * translated here ({@code "lower --max-model-len to at most 128"}). A setting added to a message
 * below belongs in this table, or the CLI user reads an API name.
 */
final class SettingFlags {
    private static final Map<String, String> FLAGS = Map.ofEntries(
            Map.entry("EngineConfig.maxModelLen", "--max-model-len"),
            Map.entry("EngineConfig.kvCacheBudget", "--kv-cache-memory"),
            Map.entry("EngineConfig.kvCacheType", "--kv-cache-type"),
            Map.entry("QuantEval.Options.ctx", "--ctx"),
            Map.entry("QuantizeJob.overwrite", "--force"),
            Map.entry("QuantizeJob.keepOutputF16", "--keep-output-f16"),
            Map.entry("PlanRequest.context", "--context"),
            Map.entry("PlanRequest.concurrency", "--concurrency"),
            Map.entry("PlanRequest.utilization", "--utilization"),
            Map.entry("PlanRequest.amortizationMonths", "--amortization-months"),
            Map.entry("PlanRequest.electricityUsdPerKwh", "--electricity-usd-per-kwh"),
            Map.entry("PlanRequest.precision", "--precision"),
            Map.entry("HardwareCatalog.withFile", "--hardware-file"),
            Map.entry("GgufModels.read", "--model"),
            Map.entry("ServerConfig.host", "--host"),
            Map.entry("ServerConfig.port", "--port"));

    private SettingFlags() {
    }

    /** {@code message} with every setting name of the table replaced by its flag. */
    static String translate(String message) {
        String out = message;
        for (Map.Entry<String, String> e : FLAGS.entrySet()) {
            out = out.replace(e.getKey(), e.getValue());
        }
        return out;
    }
}
