package ai.sluice.core.sampling;

/**
 * How to pick the next token from logits.
 *
 * @param temperature 0 = greedy (argmax, ties to the lowest id); otherwise logits are divided by it
 * @param topK keep the k most likely tokens; 0 = off
 * @param topP keep the smallest set of most likely tokens whose probability reaches p; 1 = off
 * @param minP drop tokens less likely than minP x the most likely one; 0 = off
 * @param repetitionPenalty divides positive (multiplies negative) logits of tokens seen before; 1 = off
 * @param presencePenalty subtracted once from the logit of every token seen before; 0 = off
 * @param frequencyPenalty subtracted per occurrence from the logit of tokens seen before; 0 = off
 * @param seed seed of the random draw: the same seed and inputs give the same tokens
 */
public record SamplingParams(float temperature, int topK, float topP, float minP, float repetitionPenalty,
                             float presencePenalty, float frequencyPenalty, long seed) {

    public SamplingParams {
        if (!(temperature >= 0f) || Float.isInfinite(temperature)) {
            throw bad("temperature", temperature, "a finite number >= 0 (0 = greedy)");
        }
        if (topK < 0) {
            throw bad("topK", topK, "an integer >= 0 (0 = off)");
        }
        if (!(topP > 0f && topP <= 1f)) {
            throw bad("topP", topP, "in (0, 1] (1 = off)");
        }
        if (!(minP >= 0f && minP <= 1f)) {
            throw bad("minP", minP, "in [0, 1] (0 = off)");
        }
        if (!(repetitionPenalty > 0f) || Float.isInfinite(repetitionPenalty)) {
            throw bad("repetitionPenalty", repetitionPenalty, "a finite number > 0 (1 = off)");
        }
        if (!(presencePenalty >= -2f && presencePenalty <= 2f)) {
            throw bad("presencePenalty", presencePenalty, "in [-2, 2] (0 = off)");
        }
        if (!(frequencyPenalty >= -2f && frequencyPenalty <= 2f)) {
            throw bad("frequencyPenalty", frequencyPenalty, "in [-2, 2] (0 = off)");
        }
    }

    /** Greedy decoding: argmax, no penalties. */
    public static SamplingParams greedy() {
        return new SamplingParams(0f, 0, 1f, 0f, 1f, 0f, 0f, 0L);
    }

    /** Plain sampling at {@code temperature} with {@code seed}, every filter off. */
    public static SamplingParams random(float temperature, long seed) {
        return new SamplingParams(temperature, 0, 1f, 0f, 1f, 0f, 0f, seed);
    }

    public SamplingParams withTemperature(float value) {
        return new SamplingParams(value, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty, seed);
    }

    public SamplingParams withTopK(int value) {
        return new SamplingParams(temperature, value, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty, seed);
    }

    public SamplingParams withTopP(float value) {
        return new SamplingParams(temperature, topK, value, minP, repetitionPenalty, presencePenalty, frequencyPenalty, seed);
    }

    public SamplingParams withMinP(float value) {
        return new SamplingParams(temperature, topK, topP, value, repetitionPenalty, presencePenalty, frequencyPenalty, seed);
    }

    public SamplingParams withRepetitionPenalty(float value) {
        return new SamplingParams(temperature, topK, topP, minP, value, presencePenalty, frequencyPenalty, seed);
    }

    public SamplingParams withPresencePenalty(float value) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, value, frequencyPenalty, seed);
    }

    public SamplingParams withFrequencyPenalty(float value) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty, value, seed);
    }

    public SamplingParams withSeed(long value) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty, value);
    }

    /** True when no penalty changes the logits. */
    public boolean hasPenalties() {
        return repetitionPenalty != 1f || presencePenalty != 0f || frequencyPenalty != 0f;
    }

    private static InvalidSamplingParametersException bad(String name, double value, String range) {
        return new InvalidSamplingParametersException("sampling parameter " + name + " = " + value + " is invalid: "
                + "it must be " + range);
    }
}
