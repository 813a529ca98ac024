package ai.sluice.bench;

import ai.sluice.wire.RequestError;

/**
 * What one measured request did. All times are nanoseconds since the start of the measured phase.
 *
 * @param chunkNanos     arrival time of every streamed chunk that carried a choice (usage-only chunks excluded,
 *                       as vLLM's benchmark does)
 * @param promptTokens   prompt tokens: the server's usage count when it sent one, else the count from preparation
 * @param outputTokens   output tokens: the server's usage count when it sent one, else the number of content chunks
 * @param usageReported  whether the token counts came from the server's usage chunk
 * @param error          null for a successful request
 */
public record RequestRecord(int index, long startNanos, long[] chunkNanos, int promptTokens, int outputTokens,
                            boolean usageReported, RequestError error) {

    public boolean ok() {
        return error == null;
    }

    /** Time to first token: first content chunk minus send time. */
    public long ttftNanos() {
        return chunkNanos[0] - startNanos;
    }

    /** End-to-end latency: last content chunk minus send time (vLLM's definition). */
    public long latencyNanos() {
        return chunkNanos[chunkNanos.length - 1] - startNanos;
    }

    /** Time per output token after the first: (latency - TTFT) / (output tokens - 1); NaN when fewer than 2 tokens. */
    public double tpotNanos() {
        if (outputTokens < 2) {
            return Double.NaN;
        }
        return (double) (latencyNanos() - ttftNanos()) / (outputTokens - 1);
    }

    /** Every gap between consecutive content chunks. */
    public long[] itlNanos() {
        long[] gaps = new long[Math.max(0, chunkNanos.length - 1)];
        for (int i = 0; i < gaps.length; i++) {
            gaps[i] = chunkNanos[i + 1] - chunkNanos[i];
        }
        return gaps;
    }
}
