package ai.sluice.bench;

import java.nio.file.Path;

/** Where prompts come from. */
public sealed interface PromptSpec {

    /** Seeded synthetic prompts of {@code inputLen} tokens, each generating {@code outputLen}. */
    record Synthetic(int inputLen, int outputLen) implements PromptSpec {
    }

    /** A JSONL dataset; {@code outputLen} 0 takes the output length from each line. */
    record Dataset(Path file, int outputLen) implements PromptSpec {
    }
}
