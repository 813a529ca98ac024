package ai.sluice.bench;

import java.util.OptionalInt;

/**
 * Counts prompt tokens: exactly through the server's own tokenizer when its {@code /tokenize} answers (vLLM's or
 * llama-server's form), else approximately by words. Only the former may ever be called exact.
 */
public interface TokenCounter {
    int count(String text);

    boolean exact();

    /** How counts are made, for the summary and the report: says "estimated" whenever they are. */
    String describe();

    /** The server's {@code POST /tokenize} in the form it answers. */
    record Server(CompletionClient client, String model, TokenizeForm form) implements TokenCounter {
        @Override
        public int count(String text) {
            OptionalInt n = client.tokenize(model, text, form);
            if (n.isEmpty()) {
                throw new BenchException("the server's /tokenize stopped answering; rerun, or use a server without it");
            }
            return n.getAsInt();
        }

        @Override
        public boolean exact() {
            return true;
        }

        @Override
        public String describe() {
            return "exact, from the server's /tokenize (" + form.description() + ")";
        }
    }

    /** One token per whitespace-separated word: an approximation, used when the server cannot tokenize. */
    record Words() implements TokenCounter {
        @Override
        public int count(String text) {
            String s = text.strip();
            return s.isEmpty() ? 0 : s.split("\\s+").length;
        }

        @Override
        public boolean exact() {
            return false;
        }

        @Override
        public String describe() {
            return "estimated, one token per word (the server's /tokenize answered in neither vLLM's nor "
                    + "llama-server's form); real prompt lengths differ by tokenizer";
        }
    }

    /**
     * The server's tokenizer in the first form that counts a probe text as at least one token, else words. A 401
     * or 403 stops the run here rather than degrading to an estimate.
     */
    static TokenCounter probe(CompletionClient client, String model) {
        for (TokenizeForm form : TokenizeForm.values()) {
            CompletionClient.Answer answer = client.tokenizeAnswer(model, "hello world", form);
            if (answer.refusedKey()) {
                throw ServerChecks.refused(client, "/tokenize", answer.status());
            }
            OptionalInt n = client.countIn(answer);
            if (n.isPresent() && n.getAsInt() > 0) {
                return new Server(client, model, form);
            }
        }
        return new Words();
    }
}
