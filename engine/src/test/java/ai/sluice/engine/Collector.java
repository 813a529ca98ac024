package ai.sluice.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Collects one request's output for assertions. */
class Collector implements GenerationListener {
    final List<Integer> tokens = new ArrayList<>();
    final StringBuilder text = new StringBuilder();
    final List<TokenLogprobs> logprobs = new ArrayList<>();
    final CompletableFuture<FinishReason> finish = new CompletableFuture<>();
    volatile Usage usage;

    @Override
    public synchronized void onToken(int token, String textDelta, TokenLogprobs lp) {
        tokens.add(token);
        text.append(textDelta);
        if (lp != null) {
            logprobs.add(lp);
        }
    }

    @Override
    public synchronized void onFinish(FinishReason reason, String finalText, Usage u) {
        text.append(finalText);
        usage = u;
        finish.complete(reason);
    }

    FinishReason await() {
        try {
            return finish.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("request did not finish", e);
        }
    }

    synchronized int[] tokenArray() {
        return tokens.stream().mapToInt(Integer::intValue).toArray();
    }
}
