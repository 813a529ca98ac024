package ai.sluice.server.generate;

import ai.sluice.server.backend.FinishReason;
import ai.sluice.server.backend.Generation;
import ai.sluice.server.backend.TokenLogprobs;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** The output of one sequence (one choice) as it arrives: text, token count, logprobs, finish. */
final class ChoiceState {
    final int index;
    final int promptTokens;
    final AtomicReference<Generation> generation = new AtomicReference<>();
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

    ChoiceState(int index, int promptTokens) {
        this.index = index;
        this.promptTokens = promptTokens;
    }

    /** Takes one generated token and its text delta; returns the text to send now. */
    String accept(int token, String delta, TokenLogprobs lp) {
        if (finishReason != null) {
            return "";
        }
        outputTokens++;
        if (lp != null) {
            logprobs.add(new LoggedToken(token, lp, text.length()));
        }
        text.append(delta);
        return delta;
    }

    /** The engine ended the sequence; returns the text it still held back. */
    String finish(FinishReason reason, String finalText, String errorMessage, int cachedPrompt) {
        if (finishReason != null) {
            return "";
        }
        cachedPromptTokens = cachedPrompt;
        finishReason = switch (reason) {
            case STOP -> "stop";
            case LENGTH -> "length";
            case CANCELLED -> "abort";
            case ERROR -> "error";
        };
        error = errorMessage;
        if (reason == FinishReason.CANCELLED || reason == FinishReason.ERROR || finalText == null) {
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
        Generation g = generation.get();
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

    /** Logprobs not yet sent in a stream chunk (and marks them sent). */
    List<LoggedToken> takeUnsentLogprobs() {
        List<LoggedToken> out = List.copyOf(logprobs.subList(logprobsSent, logprobs.size()));
        logprobsSent = logprobs.size();
        return out;
    }
}
