package ai.sluice.server.serving;

import ai.sluice.core.gguf.GgufMetadata;
import ai.sluice.core.tokenizer.TokenType;
import ai.sluice.core.tokenizer.Tokenizer;
import ai.sluice.core.tokenizer.Vocabulary;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** {@link TextCodec} over the model file's own tokenizer and chat template. */
public final class TokenizerCodec implements TextCodec {
    private final Tokenizer tokenizer;
    private final Vocabulary vocabulary;
    private final String chatTemplate;

    public TokenizerCodec(Tokenizer tokenizer, String chatTemplate) {
        this.tokenizer = tokenizer;
        this.vocabulary = tokenizer.vocabulary();
        this.chatTemplate = chatTemplate;
    }

    /** The tokenizer and {@code tokenizer.chat_template} of a model file's metadata. */
    public static TokenizerCodec fromGguf(GgufMetadata metadata) {
        return new TokenizerCodec(Tokenizer.fromGguf(metadata),
                metadata.findString("tokenizer.chat_template").orElse(null));
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public int[] encode(String text, boolean addSpecial) {
        return tokenizer.encode(text, addSpecial, true);
    }

    @Override
    public String decode(int[] tokens) {
        return tokenizer.decode(tokens);
    }

    @Override
    public byte[] tokenBytes(int token) {
        return tokenizer.tokenBytes(token);
    }

    @Override
    public String tokenText(int token) {
        return new String(tokenizer.tokenBytes(token), StandardCharsets.UTF_8);
    }

    @Override
    public boolean isSpecial(int token) {
        // added (user-defined) tokens such as Qwen's <tool_call> are text; control and unknown tokens are not
        return vocabulary.isControl(token) || vocabulary.type(token) == TokenType.UNKNOWN;
    }

    @Override
    public int vocabularySize() {
        return vocabulary.size();
    }

    @Override
    public String bosToken() {
        return vocabulary.bosId() >= 0 ? vocabulary.text(vocabulary.bosId()) : "";
    }

    @Override
    public String eosToken() {
        return vocabulary.eosId() >= 0 ? vocabulary.text(vocabulary.eosId()) : "";
    }

    @Override
    public Optional<String> chatTemplate() {
        return Optional.ofNullable(chatTemplate);
    }
}
