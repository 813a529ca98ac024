package ai.sluice.bench;

/**
 * One request's input.
 *
 * @param tokens    prompt length in tokens as counted while preparing (exact with a server tokenizer, else approximate)
 * @param maxTokens tokens to generate ({@code max_tokens}, with {@code ignore_eos} so the server produces them all)
 */
public record Prompt(String text, int tokens, int maxTokens) {
}
