package ai.sluice.server.generate;

import ai.sluice.server.api.Completions;
import ai.sluice.engine.TokenLogprobs;
import ai.sluice.server.api.ServerVersion;
import ai.sluice.server.api.Usage;
import ai.sluice.server.serving.TextCodec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /v1/completions}: {@code text_completion} objects, logprobs as parallel lists. */
final class CompletionFormat implements ResponseFormat {
    private static final String FINGERPRINT = ServerVersion.systemFingerprint();
    private static final String OBJECT = "text_completion";
    private final String id;
    private final long created;
    private final String model;
    private final TextCodec codec;
    private final boolean tokenIds;

    CompletionFormat(String id, long created, String model, TextCodec codec, boolean tokenIds) {
        this.id = id;
        this.created = created;
        this.model = model;
        this.codec = codec;
        this.tokenIds = tokenIds;
    }

    @Override
    public Object streamStart(ChoiceState choice) {
        return null;
    }

    @Override
    public boolean tokenIds() {
        return tokenIds;
    }

    /** vLLM's layout: the prompt's ids in the choice's first chunk, each chunk's own ids in every one. */
    @Override
    public Object streamChunk(ChoiceState c, String text, List<ChoiceState.LoggedToken> logprobs, int textOffset,
                              int[] ids, String finishReason) {
        Completions.Logprobs lp = logprobs.isEmpty() ? null : logprobs(logprobs, textOffset);
        return chunk(new Completions.Choice(c.index, text, lp, finishReason, c.firstChunk() ? c.prompt : null, ids));
    }

    @Override
    public Object streamDelta(int choice, String text, List<ChoiceState.LoggedToken> logprobs, int textOffset) {
        Completions.Logprobs lp = logprobs.isEmpty() ? null : logprobs(logprobs, textOffset);
        return chunk(new Completions.Choice(choice, text, lp, null));
    }

    @Override
    public Object streamFinish(int choice, String finishReason) {
        return chunk(new Completions.Choice(choice, "", null, finishReason));
    }

    @Override
    public Object streamUsage(Usage usage) {
        return new Completions.Response(id, OBJECT, created, model, FINGERPRINT, List.of(), usage);
    }

    @Override
    public Object response(List<ChoiceState> choices, Usage usage) {
        List<Completions.Choice> out = new ArrayList<>(choices.size());
        for (ChoiceState c : choices) {
            Completions.Logprobs lp = c.logprobs().isEmpty() ? null : logprobs(c.logprobs(), 0);
            out.add(new Completions.Choice(c.index, c.text(), lp, c.finishReason(), tokenIds ? c.prompt : null,
                    tokenIds ? c.tokenIds() : null));
        }
        return new Completions.Response(id, OBJECT, created, model, FINGERPRINT, out, usage);
    }

    private Object chunk(Completions.Choice choice) {
        return new Completions.Response(id, OBJECT, created, model, FINGERPRINT, List.of(choice), null);
    }

    private Completions.Logprobs logprobs(List<ChoiceState.LoggedToken> tokens, int baseOffset) {
        List<String> text = new ArrayList<>(tokens.size());
        List<Float> lps = new ArrayList<>(tokens.size());
        List<Map<String, Float>> tops = new ArrayList<>(tokens.size());
        List<Integer> offsets = new ArrayList<>(tokens.size());
        for (ChoiceState.LoggedToken t : tokens) {
            text.add(codec.tokenText(t.token()));
            lps.add(t.logprobs().logprob());
            Map<String, Float> top = new LinkedHashMap<>();
            for (TokenLogprobs.Alternative a : t.logprobs().top()) {
                top.putIfAbsent(codec.tokenText(a.token()), a.logprob());
            }
            tops.add(top);
            offsets.add(t.textOffset());
        }
        return new Completions.Logprobs(text, lps, tops, offsets);
    }
}
