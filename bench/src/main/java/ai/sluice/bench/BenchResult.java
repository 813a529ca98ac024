package ai.sluice.bench;

import java.util.List;
import java.util.Map;

/**
 * The metrics of one measured run, with the definitions of vLLM's benchmark_serving: throughputs divide by the
 * measured duration (first send to last completion, warm-up excluded); latency stats cover successful requests.
 *
 * @param goodput       requests/s that met every SLO given; null when no SLO was given
 * @param sloAttainment fraction of all requests meeting every SLO; null when no SLO was given
 * @param errors        failed requests counted by {@link ai.sluice.wire.RequestError#label()}
 * @param throughput    output tokens/s in one-second bins over the run
 */
public record BenchResult(String load, double durationS, int requests, int completed, int failed,
                          Map<String, Integer> errors, long totalInputTokens, long totalOutputTokens,
                          boolean tokensFromUsage, double requestThroughput, double outputThroughput,
                          double totalTokenThroughput, Double goodput, Double sloAttainment,
                          Stats ttftMs, Stats tpotMs, Stats itlMs, Stats e2elMs,
                          List<ThroughputBin> throughput, List<RequestSummary> perRequest) {

    /** Output tokens/s during one second of the run. */
    public record ThroughputBin(double startS, double tokensPerS) {
    }

    /** One request in the JSON result; latency fields are null for failed requests. */
    public record RequestSummary(int index, double startMs, Double ttftMs, Double tpotMs, Double e2elMs,
                                 int promptTokens, int outputTokens, String error) {
    }
}
