package ai.sluice.engine;

/** Why a request ended. {@link #label()} is vLLM's {@code finished_reason} metric label. */
public sealed interface FinishReason {

    /** The label vLLM uses for {@code vllm:request_success_total}: stop, length, abort or error. */
    String label();

    /**
     * EOS, a stop token or a stop string.
     *
     * @param tokenId the token that ended the generation (EOS, a stop token, or the token that
     *                completed the stop string)
     * @param stopString the stop string that matched, or null when a token ended it
     */
    record Stop(int tokenId, String stopString) implements FinishReason {
        @Override
        public String label() {
            return "stop";
        }
    }

    /** maxTokens reached, or the sequence reached the engine's maxModelLen. */
    record Length() implements FinishReason {
        @Override
        public String label() {
            return "length";
        }
    }

    /** Cancelled through its {@link RequestHandle} (client gone, timeout) or by shutdown. */
    record Cancelled() implements FinishReason {
        @Override
        public String label() {
            return "abort";
        }
    }

    /** Processing this request failed; other requests are unaffected. */
    record Error(String message) implements FinishReason {
        @Override
        public String label() {
            return "error";
        }
    }
}
