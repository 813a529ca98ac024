package ai.sluice.server.generate;

import ai.sluice.server.api.ChatCompletions;
import ai.sluice.engine.TokenLogprobs;
import ai.sluice.server.api.ServerVersion;
import ai.sluice.server.api.Usage;
import ai.sluice.server.serving.TextCodec;

import java.util.ArrayList;
import java.util.List;

/** {@code /v1/chat/completions}: a message per choice, or role/content deltas in a stream. */
final class ChatFormat implements ResponseFormat {
    private static final String FINGERPRINT = ServerVersion.systemFingerprint();
    private final String id;
    private final long created;
    private final String model;
    private final TextCodec codec;
    private final boolean tokenIds;

    ChatFormat(String id, long created, String model, TextCodec codec, boolean tokenIds) {
        this.id = id;
        this.created = created;
        this.model = model;
        this.codec = codec;
        this.tokenIds = tokenIds;
    }

    /** With token ids, vLLM's layout: the first chunk carries the prompt's ids. */
    @Override
    public Object streamStart(ChoiceState c) {
        c.firstChunk();
        ChatCompletions.Delta role = new ChatCompletions.Delta("assistant", "");
        if (!tokenIds) {
            return chunk(new ChatCompletions.ChunkChoice(c.index, role, null, null));
        }
        return new ChatCompletions.Chunk(id, "chat.completion.chunk", created, model, FINGERPRINT,
                List.of(new ChatCompletions.ChunkChoice(c.index, role, null, null, new int[0])), null, c.prompt);
    }

    @Override
    public boolean tokenIds() {
        return tokenIds;
    }

    @Override
    public Object streamChunk(ChoiceState c, String text, List<ChoiceState.LoggedToken> logprobs, int textOffset,
                              int[] ids, String finishReason) {
        ChatCompletions.Logprobs lp = logprobs.isEmpty() ? null : logprobs(logprobs);
        // a last chunk with no text left has an empty delta, as the finish chunk of a plain stream
        String content = finishReason != null && text.isEmpty() ? null : text;
        return chunk(new ChatCompletions.ChunkChoice(c.index, new ChatCompletions.Delta(null, content), lp,
                finishReason, ids));
    }

    @Override
    public Object streamDelta(int choice, String text, List<ChoiceState.LoggedToken> logprobs, int textOffset) {
        ChatCompletions.Logprobs lp = logprobs.isEmpty() ? null : logprobs(logprobs);
        return chunk(new ChatCompletions.ChunkChoice(choice, new ChatCompletions.Delta(null, text), lp, null));
    }

    @Override
    public Object streamFinish(int choice, String finishReason) {
        return chunk(new ChatCompletions.ChunkChoice(choice, new ChatCompletions.Delta(null, null), null, finishReason));
    }

    @Override
    public Object streamUsage(Usage usage) {
        return new ChatCompletions.Chunk(id, "chat.completion.chunk", created, model, FINGERPRINT, List.of(), usage);
    }

    @Override
    public Object response(List<ChoiceState> choices, Usage usage) {
        List<ChatCompletions.Choice> out = new ArrayList<>(choices.size());
        for (ChoiceState c : choices) {
            ChatCompletions.Logprobs lp = c.logprobs().isEmpty() ? null : logprobs(c.logprobs());
            out.add(new ChatCompletions.Choice(c.index, new ChatCompletions.Message("assistant", c.text()), lp,
                    c.finishReason(), tokenIds ? c.tokenIds() : null));
        }
        return new ChatCompletions.Response(id, "chat.completion", created, model, FINGERPRINT, out, usage,
                tokenIds && !choices.isEmpty() ? choices.getFirst().prompt : null);
    }

    private Object chunk(ChatCompletions.ChunkChoice choice) {
        return new ChatCompletions.Chunk(id, "chat.completion.chunk", created, model, FINGERPRINT, List.of(choice), null);
    }

    private ChatCompletions.Logprobs logprobs(List<ChoiceState.LoggedToken> tokens) {
        List<ChatCompletions.TokenLogprob> content = new ArrayList<>(tokens.size());
        for (ChoiceState.LoggedToken t : tokens) {
            List<TokenLogprobs.Alternative> alternatives = t.logprobs().top();
            List<ChatCompletions.TopLogprob> top = new ArrayList<>(alternatives.size());
            for (TokenLogprobs.Alternative a : alternatives) {
                top.add(new ChatCompletions.TopLogprob(codec.tokenText(a.token()), a.logprob(),
                        unsigned(codec.tokenBytes(a.token()))));
            }
            content.add(new ChatCompletions.TokenLogprob(codec.tokenText(t.token()), t.logprobs().logprob(),
                    unsigned(codec.tokenBytes(t.token())), top));
        }
        return new ChatCompletions.Logprobs(content);
    }

    private static int[] unsigned(byte[] bytes) {
        int[] out = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = bytes[i] & 0xff;
        }
        return out;
    }
}
