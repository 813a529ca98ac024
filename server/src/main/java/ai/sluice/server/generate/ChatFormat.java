package ai.sluice.server.generate;

import ai.sluice.server.api.ChatCompletions;
import ai.sluice.engine.TokenLogprobs;
import ai.sluice.server.api.ServerVersion;
import ai.sluice.server.api.Usage;
import ai.sluice.server.serving.TextCodec;

import ai.sluice.server.tools.ParsedOutput;
import ai.sluice.server.tools.ToolCall;
import ai.sluice.server.tools.ToolCallReader;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code /v1/chat/completions}: a message per choice, or role/content deltas in a stream. With tools
 * that the model may call, each choice's text is held back and read once it is complete: calls go out
 * as {@code tool_calls} (in a stream, one delta per call carrying its name and whole arguments, as an
 * OpenAI client accumulates them), the rest as content.
 */
final class ChatFormat implements ResponseFormat {
    private static final String FINGERPRINT = ServerVersion.systemFingerprint();
    private final String id;
    private final long created;
    private final String model;
    private final TextCodec codec;
    private final boolean tokenIds;
    /** Null when the answer is plain text. */
    private final ToolCallReader tools;
    private final Map<Integer, StringBuilder> heldBack = new HashMap<>();

    ChatFormat(String id, long created, String model, TextCodec codec, boolean tokenIds, ToolCallReader tools) {
        this.id = id;
        this.created = created;
        this.model = model;
        this.codec = codec;
        this.tokenIds = tokenIds;
        this.tools = tools;
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
        if (tools != null) {
            // text is held back until the calls can be read, but every chunk still carries its token ids
            heldBack.computeIfAbsent(c.index, i -> new StringBuilder()).append(text);
            if (finishReason == null) {
                return chunk(new ChatCompletions.ChunkChoice(c.index, new ChatCompletions.Delta(null, null), lp, null,
                        ids));
            }
            ChatCompletions.ChunkChoice last = toolCallsChunk(c.index, finishReason);
            return chunk(new ChatCompletions.ChunkChoice(c.index, last.delta(), lp, last.finishReason(), ids));
        }
        // a last chunk with no text left has an empty delta, as the finish chunk of a plain stream
        String content = finishReason != null && text.isEmpty() ? null : text;
        return chunk(new ChatCompletions.ChunkChoice(c.index, new ChatCompletions.Delta(null, content), lp,
                finishReason, ids));
    }

    @Override
    public Object streamDelta(int choice, String text, List<ChoiceState.LoggedToken> logprobs, int textOffset) {
        ChatCompletions.Logprobs lp = logprobs.isEmpty() ? null : logprobs(logprobs);
        if (tools != null) {
            heldBack.computeIfAbsent(choice, c -> new StringBuilder()).append(text);
            return lp == null ? null : chunk(new ChatCompletions.ChunkChoice(choice, new ChatCompletions.Delta(null, null), lp, null));
        }
        return chunk(new ChatCompletions.ChunkChoice(choice, new ChatCompletions.Delta(null, text), lp, null));
    }

    @Override
    public Object streamFinish(int choice, String finishReason) {
        if (tools != null) {
            return chunk(toolCallsChunk(choice, finishReason));
        }
        return chunk(new ChatCompletions.ChunkChoice(choice, new ChatCompletions.Delta(null, null), null, finishReason));
    }

    /** The last chunk of a choice whose held-back text is read for tool calls. */
    private ChatCompletions.ChunkChoice toolCallsChunk(int choice, String finishReason) {
        StringBuilder text = heldBack.remove(choice);
        ParsedOutput parsed = tools.read(text == null ? "" : text.toString());
        List<ChatCompletions.ToolCallDelta> deltas = new ArrayList<>();
        List<ChatCompletions.ToolCall> calls = toolCalls(parsed);
        for (int i = 0; i < calls.size(); i++) {
            ChatCompletions.ToolCall c = calls.get(i);
            deltas.add(new ChatCompletions.ToolCallDelta(i, c.id(), c.type(), c.function()));
        }
        return new ChatCompletions.ChunkChoice(choice, new ChatCompletions.Delta(null, parsed.content(),
                deltas.isEmpty() ? null : deltas), null, finishReason(parsed, finishReason));
    }

    private static String finishReason(ParsedOutput parsed, String finishReason) {
        return !parsed.calls().isEmpty() && "stop".equals(finishReason) ? "tool_calls" : finishReason;
    }

    private static List<ChatCompletions.ToolCall> toolCalls(ParsedOutput parsed) {
        List<ChatCompletions.ToolCall> out = new ArrayList<>();
        for (ToolCall c : parsed.calls()) {
            byte[] b = new byte[12];
            ThreadLocalRandom.current().nextBytes(b);
            out.add(new ChatCompletions.ToolCall("call_" + HexFormat.of().formatHex(b), "function",
                    new ChatCompletions.FunctionCall(c.name(), c.arguments())));
        }
        return out;
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
            if (tools != null) {
                ParsedOutput parsed = tools.read(c.text());
                out.add(new ChatCompletions.Choice(c.index, new ChatCompletions.Message("assistant", parsed.content(),
                        toolCalls(parsed)), lp, finishReason(parsed, c.finishReason()), tokenIds ? c.tokenIds() : null));
                continue;
            }
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
