package ai.sluice.bench;

import java.util.OptionalInt;

/** Counts prompt tokens: exactly through the server's tokenizer when it has one, else approximately by words. */
public interface TokenCounter {
    int count(String text);

    boolean exact();

    /** The server's vLLM-style {@code POST /tokenize}. */
    record Server(CompletionClient client, String model) implements TokenCounter {
        @Override
        public int count(String text) {
            OptionalInt n = client.tokenize(model, text);
            if (n.isEmpty()) {
                throw new BenchException("the server's /tokenize stopped answering; rerun, or use a server without it");
            }
            return n.getAsInt();
        }

        @Override
        public boolean exact() {
            return true;
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
    }

    /** The server's tokenizer if {@code /tokenize} answers 200 with a count, else words. */
    static TokenCounter probe(CompletionClient client, String model) {
        return client.tokenize(model, "hello world").isPresent() ? new Server(client, model) : new Words();
    }
}
