package ai.sluice.server.api;

/** One prompt of a completions request: text to tokenize, or tokens as given. */
public sealed interface Prompt {
    record Text(String text) implements Prompt {
    }

    record Tokens(int[] tokens) implements Prompt {
    }
}
