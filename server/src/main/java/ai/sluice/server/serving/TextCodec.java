package ai.sluice.server.serving;

import java.util.Optional;

/** The model's tokenizer as the server needs it. */
public interface TextCodec {

    /** Tokens of {@code text}; {@code addSpecial} adds BOS where the model wants it; special-token text is parsed. */
    int[] encode(String text, boolean addSpecial);

    String decode(int[] tokens);

    /** The raw bytes of one token's text (for logprobs' {@code bytes}). */
    byte[] tokenBytes(int token);

    /** The text of one token on its own (for logprobs' {@code token}). */
    String tokenText(int token);

    int vocabularySize();

    /** Control and unknown tokens: no text produces them (structured output never allows them). */
    default boolean isSpecial(int token) {
        return false;
    }

    String bosToken();

    String eosToken();

    /** {@code tokenizer.chat_template} from the model file, if any. */
    Optional<String> chatTemplate();
}
