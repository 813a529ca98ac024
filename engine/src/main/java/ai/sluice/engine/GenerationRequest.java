package ai.sluice.engine;

import ai.sluice.core.sampling.SamplingParams;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One generation: a prompt of token ids and how to continue it. Build one with
 * {@link #builder(String, int[])}.
 *
 * @param requestId caller's id (logs, metrics); need not be unique
 * @param promptTokens prompt token ids, at least one, each inside the vocabulary (copied)
 * @param sampling how tokens are picked, including the seed
 * @param maxTokens most tokens to generate; the generation also ends at the engine's maxModelLen
 *                  (finish reason {@link FinishReason.Length})
 * @param stopTokenIds tokens that end the generation besides EOS (the stop token is generated and
 *                     counted, its text is not streamed)
 * @param stopStrings texts that end the generation; the text up to the match is streamed, the
 *                    match itself and what follows are not (as OpenAI and vLLM do)
 * @param priority with {@link SchedulingPolicy#PRIORITY}: lower runs first; ignored under FCFS
 * @param logprobs whether every {@link GenerationListener#onToken} carries the token's log-probability
 * @param topLogprobs how many of the most likely alternatives to report with it (0..20)
 * @param ignoreEos keep generating past EOS (benchmarks); stop token ids still apply
 * @param logitBias added to a token's logit before sampling (OpenAI's {@code logit_bias}: -100 bans a
 *                  token, +100 all but forces it), each in [-100, 100], token ids inside the
 *                  vocabulary; log-probabilities are reported before it, as the model gives them
 * @param resumedTokens tokens an earlier run of this same request already generated (stream resume;
 *                      empty for a fresh request): the engine continues after them as if that run had
 *                      not stopped (see {@link Resumption}); they count towards maxTokens and usage,
 *                      and are never passed to the listener again
 * @param constraint structured output: which tokens may come next ({@link TokenConstraint}), or null
 * @param minTokens vLLM's {@code min_tokens}: until this many tokens are generated (resumed ones
 *                  included), EOS and the stop token ids cannot be picked and stop strings do not end
 *                  the generation (only a stop string that ends in a later token's text counts);
 *                  0 (the default) to maxTokens
 */
public record GenerationRequest(String requestId, int[] promptTokens, SamplingParams sampling, int maxTokens,
                                Set<Integer> stopTokenIds, List<String> stopStrings, int priority, boolean logprobs,
                                int topLogprobs, boolean ignoreEos, Map<Integer, Float> logitBias,
                                int[] resumedTokens, TokenConstraint constraint, int minTokens) {

    /** Most alternatives a request may ask for, as OpenAI. */
    public static final int MAX_TOP_LOGPROBS = 20;
    /** Largest logit bias either way, as OpenAI. */
    public static final float MAX_LOGIT_BIAS = 100f;

    public GenerationRequest {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(sampling, "sampling");
        if (promptTokens == null || promptTokens.length == 0) {
            throw new InvalidRequestException("promptTokens", "the prompt must hold at least one token");
        }
        promptTokens = promptTokens.clone();
        if (maxTokens < 1) {
            throw new InvalidRequestException("maxTokens", "maxTokens must be >= 1, got " + maxTokens);
        }
        if (minTokens < 0 || minTokens > maxTokens) {
            throw new InvalidRequestException("minTokens", "minTokens must be in [0, maxTokens = " + maxTokens
                    + "], got " + minTokens);
        }
        if (topLogprobs < 0 || topLogprobs > MAX_TOP_LOGPROBS) {
            throw new InvalidRequestException("topLogprobs",
                    "topLogprobs must be in [0, " + MAX_TOP_LOGPROBS + "], got " + topLogprobs);
        }
        stopTokenIds = Set.copyOf(stopTokenIds);
        stopStrings = List.copyOf(stopStrings);
        for (String s : stopStrings) {
            if (s.isEmpty()) {
                throw new InvalidRequestException("stop", "stop strings must not be empty");
            }
        }
        logitBias = Map.copyOf(logitBias);
        resumedTokens = resumedTokens == null ? new int[0] : resumedTokens.clone();
        for (Map.Entry<Integer, Float> e : logitBias.entrySet()) {
            float b = e.getValue();
            if (!(b >= -MAX_LOGIT_BIAS && b <= MAX_LOGIT_BIAS)) {
                throw new InvalidRequestException("logitBias", "the bias of token " + e.getKey() + " must be in [-"
                        + MAX_LOGIT_BIAS + ", " + MAX_LOGIT_BIAS + "], got " + b);
            }
        }
    }

    /** A copy of the prompt token ids. */
    @Override
    public int[] promptTokens() {
        return promptTokens.clone();
    }

    /** A copy of the tokens a resumed request continues after (empty for a fresh one). */
    @Override
    public int[] resumedTokens() {
        return resumedTokens.clone();
    }

    /** The resumed tokens without copying, for the engine. */
    int[] resumedTokensUnsafe() {
        return resumedTokens;
    }

    public int promptLength() {
        return promptTokens.length;
    }

    /** The prompt without copying, for the engine. */
    int[] promptTokensUnsafe() {
        return promptTokens;
    }

    public static Builder builder(String requestId, int[] promptTokens) {
        return new Builder(requestId, promptTokens);
    }

    /** Defaults: greedy, 16 tokens, no stops, priority 0, no logprobs. */
    public static final class Builder {
        private final String requestId;
        private final int[] promptTokens;
        private SamplingParams sampling = SamplingParams.greedy();
        private int maxTokens = 16;
        private Set<Integer> stopTokenIds = Set.of();
        private List<String> stopStrings = List.of();
        private int priority;
        private boolean logprobs;
        private int topLogprobs;
        private boolean ignoreEos;
        private Map<Integer, Float> logitBias = Map.of();
        private int[] resumedTokens = new int[0];
        private TokenConstraint constraint;
        private int minTokens;

        private Builder(String requestId, int[] promptTokens) {
            this.requestId = requestId;
            this.promptTokens = promptTokens;
        }

        public Builder sampling(SamplingParams value) {
            this.sampling = value;
            return this;
        }

        public Builder maxTokens(int value) {
            this.maxTokens = value;
            return this;
        }

        public Builder stopTokenIds(Set<Integer> value) {
            this.stopTokenIds = value;
            return this;
        }

        public Builder stopStrings(List<String> value) {
            this.stopStrings = value;
            return this;
        }

        public Builder priority(int value) {
            this.priority = value;
            return this;
        }

        /** Reports the chosen token's log-probability and the {@code top} most likely alternatives. */
        public Builder logprobs(int top) {
            this.logprobs = true;
            this.topLogprobs = top;
            return this;
        }

        public Builder ignoreEos(boolean value) {
            this.ignoreEos = value;
            return this;
        }

        public Builder logitBias(Map<Integer, Float> value) {
            this.logitBias = value;
            return this;
        }

        /** Continues after {@code tokens}, which an earlier run of this request generated (stream resume). */
        public Builder resumeAfter(int[] tokens) {
            this.resumedTokens = tokens;
            return this;
        }

        /** Structured output: only tokens the constraint allows are generated. */
        public Builder constraint(TokenConstraint value) {
            this.constraint = value;
            return this;
        }

        /** vLLM's {@code min_tokens}: no EOS, stop token id or stop string ends the first {@code value} tokens. */
        public Builder minTokens(int value) {
            this.minTokens = value;
            return this;
        }

        public GenerationRequest build() {
            return new GenerationRequest(requestId, promptTokens, sampling, maxTokens, stopTokenIds, stopStrings,
                    priority, logprobs, topLogprobs, ignoreEos, logitBias, resumedTokens, constraint, minTokens);
        }
    }
}
