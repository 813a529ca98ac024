package ai.sluice.gateway;

import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A replica's response body as it arrives, read with a stall timeout: the reader waits for the next piece at
 * most that long (a frozen replica must not freeze the client's stream). One piece is asked for at a time, so a
 * slow client slows the replica instead of filling the gateway's memory. {@link #cancel()} (client gone, replica
 * given up on) closes the upstream connection, which is how the replica learns to stop generating.
 */
final class UpstreamBody implements Flow.Subscriber<List<ByteBuffer>>, BodySource {
    private static final Object END = new Object();

    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private volatile Flow.Subscription subscription;
    private volatile boolean cancelled;

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (cancelled) {
            s.cancel();
        } else {
            s.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        queue.add(item);
    }

    @Override
    public void onError(Throwable throwable) {
        queue.add(throwable);
    }

    @Override
    public void onComplete() {
        queue.add(END);
    }

    /**
     * The next bytes, or null at the end of the body.
     *
     * @throws HttpTimeoutException when nothing came within {@code stall}
     * @throws IOException          when the connection broke (or the body was cancelled)
     */
    @Override
    public byte[] next(Duration stall) throws IOException {
        Object item;
        try {
            item = queue.poll(stall.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the replica");
        }
        if (item == null) {
            throw new HttpTimeoutException("the replica sent nothing for " + stall.toMillis() + " ms");
        }
        if (item == END) {
            queue.add(END);
            return null;
        }
        if (item instanceof Throwable t) {
            queue.add(t);
            throw t instanceof IOException io ? io : new IOException(t.getMessage(), t);
        }
        @SuppressWarnings("unchecked")
        List<ByteBuffer> buffers = (List<ByteBuffer>) item;
        int size = 0;
        for (ByteBuffer b : buffers) {
            size += b.remaining();
        }
        byte[] out = new byte[size];
        int at = 0;
        for (ByteBuffer b : buffers) {
            int n = b.remaining();
            b.get(out, at, n);
            at += n;
        }
        Flow.Subscription s = subscription;
        if (s != null && !cancelled) {
            s.request(1);
        }
        return out;
    }

    /** Stops reading and closes the upstream connection; a blocked {@link #next} ends with an IOException. */
    @Override
    public void cancel() {
        cancelled = true;
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
        queue.add(new IOException("cancelled"));
    }
}
