package ai.sluice.server.generate;

import ai.sluice.server.backend.FinishReason;
import ai.sluice.server.backend.Generation;
import ai.sluice.server.backend.TokenListener;
import ai.sluice.server.backend.TokenLogprobs;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The hand-off between the engine thread (producer) and one HTTP request's writer (consumer), for all
 * the sequences of that request. The engine never blocks here: tokens beyond {@code capacity} that the
 * writer has not taken (a client reading too slowly) cancel the sequence instead. Finish events are
 * always delivered, so the writer always learns how each sequence ended.
 */
final class SequenceEvents {

    sealed interface Event permits TokenEvent, FinishEvent {
        int choice();
    }

    record TokenEvent(int choice, int token, String text, TokenLogprobs logprobs) implements Event {
    }

    record FinishEvent(int choice, FinishReason reason, String finalText, String error, int cachedPromptTokens)
            implements Event {
    }

    private final LinkedBlockingQueue<Event> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger queuedTokens = new AtomicInteger();
    private final int capacity;
    private volatile boolean overflowed;

    SequenceEvents(int capacity) {
        this.capacity = capacity;
    }

    /** A listener for choice {@code index}; {@code generation} is filled in once submit returns. */
    TokenListener listener(int index, AtomicReference<Generation> generation) {
        return new TokenListener() {
            @Override
            public void onToken(int token, String textDelta, TokenLogprobs logprobs) {
                if (queuedTokens.incrementAndGet() > capacity) {
                    queuedTokens.decrementAndGet();
                    if (!overflowed) {
                        overflowed = true;
                        Generation g = generation.get();
                        if (g != null) {
                            // Never cancel re-entrantly from inside the engine's callback.
                            Thread.startVirtualThread(g::cancel);
                        }
                    }
                    return;
                }
                queue.add(new TokenEvent(index, token, textDelta, logprobs));
            }

            @Override
            public void onFinish(FinishReason reason, String finalText, String error, int cachedPromptTokens) {
                queue.add(new FinishEvent(index, reason, finalText, error, cachedPromptTokens));
            }
        };
    }

    /** The next event, or null after {@code timeoutNanos}. */
    Event poll(long timeoutNanos) throws InterruptedException {
        Event e = queue.poll(timeoutNanos, TimeUnit.NANOSECONDS);
        if (e instanceof TokenEvent) {
            queuedTokens.decrementAndGet();
        }
        return e;
    }

    /** True when nothing is waiting for the writer. */
    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** True once tokens were dropped because the writer fell {@code capacity} tokens behind. */
    boolean overflowed() {
        return overflowed;
    }
}
