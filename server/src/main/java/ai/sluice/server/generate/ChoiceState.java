package ai.sluice.server.generate;

import ai.sluice.engine.FinishReason;
import ai.sluice.engine.RequestHandle;
import ai.sluice.engine.TokenLogprobs;
import ai.sluice.engine.Usage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The output of one sequence (one choice) as it arrives: text, token count, token ids, logprobs,
 * finish. For a resumed request it holds only the continuation, but counts tokens as the
 * uninterrupted request would (its usage).
 */
final class ChoiceState {
    final int index;
    final int promptTokens;
    /** The prompt's token ids (for return_token_ids). */
    final int[] prompt;
    /** Tokens generated before this run (a resume); counted, never sent. */
    private final int resumed;
    private int[] tokenIds = new int[16];
    private int tokenCount;
    private int tokenIdsSent;
    private int accepted;
    private boolean chunkSent;
    final AtomicReference<RequestHandle> generation = new AtomicReference<>();
    private final StringBuilder text = new StringBuilder();
    private final List<LoggedToken> logprobs = new ArrayList<>();
    private int outputTokens;
    private int logprobsSent;
    private String finishReason;
    private String error;
    private int cachedPromptTokens;

    /** A token with its logprobs and where its text starts in the choice's text. */
    record LoggedToken(int token, TokenLogprobs logprobs, int textOffset) {
    }

    ChoiceState(int index, int[] prompt, int resumed) {
        this.index = index;
        this.prompt = prompt;
        this.promptTokens = prompt.length;
        this.resumed = resumed;
        this.outputTokens = resumed;
    }

    /** Takes one generated token and its text delta; returns the text to send now. */
    String accept(int token, String delta, TokenLogprobs lp) {
        if (finishReason != null) {
            return "";
        }
        outputTokens++;
        accepted++;
        addTokenId(token);
        if (lp != null) {
            logprobs.add(new LoggedToken(token, lp, text.length()));
        }
        text.append(delta);
        return delta;
    }

    /**
     * The engine ended the sequence; returns the text it still held back. The finish reason goes on
     * the wire as the engine's {@link FinishReason#label()} (OpenAI's values; "abort" is vLLM's).
     */
    String finish(FinishReason reason, String finalText, Usage usage) {
        if (finishReason != null) {
            return "";
        }
        cachedPromptTokens = usage == null ? 0 : usage.cachedPromptTokens();
        finishReason = reason.label();
        // EOS or a stop token id: generated (and counted by the engine) but never passed as a token. It
        // counts in usage too, as vLLM and llama-server count it: completion_tokens = the token_ids returned
        if (reason instanceof FinishReason.Stop stop && stop.stopString() == null && usage != null
                && usage.completionTokens() > resumed + accepted) {
            addTokenId(stop.tokenId());
            outputTokens++;
        }
        error = reason instanceof FinishReason.Error e ? e.message() : null;
        if (reason instanceof FinishReason.Cancelled || reason instanceof FinishReason.Error || finalText == null) {
            return "";
        }
        text.append(finalText);
        return finalText;
    }

    /** Stops this sequence for a reason of the server's own (client gone, timeout, slow reader). */
    void abort(String reason, String errorMessage) {
        if (finishReason == null) {
            finishReason = reason;
            error = errorMessage;
        }
        cancel();
    }

    void cancel() {
        RequestHandle g = generation.get();
        if (g != null) {
            g.cancel();
        }
    }

    boolean done() {
        return finishReason != null;
    }

    String text() {
        return text.toString();
    }

    int outputTokens() {
        return outputTokens;
    }

    String finishReason() {
        return finishReason;
    }

    /** Prompt tokens this sequence found in the prefix cache (known once it finished). */
    int cachedPromptTokens() {
        return cachedPromptTokens;
    }

    String error() {
        return error;
    }

    List<LoggedToken> logprobs() {
        return logprobs;
    }

    private void addTokenId(int token) {
        if (tokenCount == tokenIds.length) {
            tokenIds = Arrays.copyOf(tokenIds, tokenCount * 2);
        }
        tokenIds[tokenCount++] = token;
    }

    /** The ids generated in this run, a stop token included. */
    int[] tokenIds() {
        return Arrays.copyOf(tokenIds, tokenCount);
    }

    /** True the first time it is asked: the choice's first stream chunk is being written. */
    boolean firstChunk() {
        boolean first = !chunkSent;
        chunkSent = true;
        return first;
    }

    /** Ids not yet sent in a stream chunk (and marks them sent). */
    int[] takeUnsentTokenIds() {
        int[] out = Arrays.copyOfRange(tokenIds, tokenIdsSent, tokenCount);
        tokenIdsSent = tokenCount;
        return out;
    }

    /** Logprobs not yet sent in a stream chunk (and marks them sent). */
    List<LoggedToken> takeUnsentLogprobs() {
        List<LoggedToken> out = List.copyOf(logprobs.subList(logprobsSent, logprobs.size()));
        logprobsSent = logprobs.size();
        return out;
    }
}
