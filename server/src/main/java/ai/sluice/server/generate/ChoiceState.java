package ai.sluice.server.generate;

import ai.sluice.server.backend.FinishReason;
import ai.sluice.server.backend.Generation;
import ai.sluice.server.backend.TextCodec;
import ai.sluice.server.backend.TokenLogprobs;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The output of one sequence (one choice) as it is assembled: decoded text with stop strings held
 * back and cut, the token count, logprobs, and how it finished.
 */
final class ChoiceState {
    final int index;
    final int promptTokens;
    final AtomicReference<Generation> generation = new AtomicReference<>();
    private final TextCodec.IncrementalDecoder decoder;
    private final StopMatcher stops;
    private final int[] stopTokenIds;
    private final StringBuilder text = new StringBuilder();
    private final List<LoggedToken> logprobs = new ArrayList<>();
    private int outputTokens;
    private int logprobsSent;
    private String finishReason;
    private String error;

    /** A token with its logprobs and where its text starts in the choice's text. */
    record LoggedToken(int token, TokenLogprobs logprobs, int textOffset) {
    }

    ChoiceState(int index, int promptTokens, TextCodec codec, List<String> stopStrings, int[] stopTokenIds) {
        this.index = index;
        this.promptTokens = promptTokens;
        this.decoder = codec.newIncrementalDecoder();
        this.stops = new StopMatcher(stopStrings);
        this.stopTokenIds = stopTokenIds;
    }

    /**
     * Takes one generated token; returns the text that may be sent now. Sets the finish reason when
     * the token is a stop token id or completes a stop string (the caller then cancels the sequence).
     */
    String accept(int token, TokenLogprobs lp) {
        if (finishReason != null) {
            return "";
        }
        outputTokens++;
        if (lp != null) {
            logprobs.add(new LoggedToken(token, lp, text.length()));
        }
        for (int id : stopTokenIds) {
            if (id == token) {
                finishReason = "stop";
                return append(stops.flush());
            }
        }
        String out = append(stops.push(decoder.push(token)));
        if (stops.stopped()) {
            finishReason = "stop";
        }
        return out;
    }

    /** The engine ended the sequence; returns any text still held back. */
    String finish(FinishReason reason, String errorMessage) {
        if (finishReason != null) {
            return "";
        }
        switch (reason) {
            case STOP -> finishReason = "stop";
            case LENGTH -> finishReason = "length";
            case CANCELLED -> finishReason = "abort";
            case ERROR -> {
                finishReason = "error";
                error = errorMessage;
            }
        }
        if (reason == FinishReason.CANCELLED || reason == FinishReason.ERROR) {
            return "";
        }
        return append(stops.push(decoder.flush()) + stops.flush());
    }

    /** Stops this sequence for a reason of the server's own (client gone, timeout, overflow). */
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

    private String append(String s) {
        text.append(s);
        return s;
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
