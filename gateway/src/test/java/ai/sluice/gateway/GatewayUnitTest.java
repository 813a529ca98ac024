package ai.sluice.gateway;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Small pieces without a server: keys, the retry budget, cutting SSE. */
class GatewayUnitTest {

    @Test
    void keysAreCheckedByDigestAndTheRightHeaderGoesUpstream() {
        Auth auth = new Auth(List.of(Auth.sha256("sk-a"), Auth.sha256("sk-b")), null);
        assertThat(auth.checksKeys()).isTrue();
        assertThat(auth.accepts("Bearer sk-b")).isTrue();
        assertThat(auth.accepts("bearer  sk-a ")).isTrue(); // scheme case and spaces as HTTP allows
        assertThat(auth.accepts("Bearer sk-c")).isFalse();
        assertThat(auth.accepts("sk-a")).isFalse();
        assertThat(auth.accepts(null)).isFalse();
        assertThat(auth.upstreamHeader("Bearer sk-a")).isNull(); // the gateway's key is not the replicas'
        Auth withReplicaKey = new Auth(List.of(), new Auth.Secret("sk-r"));
        assertThat(withReplicaKey.checksKeys()).isFalse();
        assertThat(withReplicaKey.upstreamHeader("Bearer x")).isEqualTo("Bearer sk-r");
        assertThat(Auth.NONE.upstreamHeader("Bearer x")).isEqualTo("Bearer x");
        assertThat(Auth.NONE.upstreamHeader(null)).isNull();
        assertThat(withReplicaKey.toString()).doesNotContain("sk-r");
        assertThat(Auth.digestHex("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void theRetryBudgetEarnsPerRequestAndRefillsPerSecond() throws InterruptedException {
        RetryBudget none = new RetryBudget(0, 0);
        assertThat(none.tryRetry()).isTrue(); // the bucket holds at least one retry, full at start
        none.onRequest();
        assertThat(none.tryRetry()).isFalse(); // and earns nothing back
        RetryBudget budget = new RetryBudget(0.5, 0);
        int granted = 0;
        while (budget.tryRetry()) {
            granted++;
        }
        assertThat(granted).isEqualTo(10); // starts full: 20 requests' worth at 0.5
        budget.onRequest();
        assertThat(budget.tryRetry()).isFalse(); // half a retry earned
        budget.onRequest();
        assertThat(budget.tryRetry()).isTrue();
        RetryBudget floor = new RetryBudget(0, 20);
        while (floor.tryRetry()) {
            // drain
        }
        Thread.sleep(120); // 20 per second: two or more retries back
        assertThat(floor.tryRetry()).isTrue();
    }

    @Test
    void eventsAreCutAtBlankLinesWhereverThePiecesSplit() {
        EventSplitter splitter = new EventSplitter();
        String stream = ": ping\n\ndata: {\"a\":1}\r\n\r\ndata: [DONE]\n\n";
        byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
        List<EventSplitter.Event> events = new java.util.ArrayList<>();
        for (byte b : bytes) { // one byte at a time: the worst split
            events.addAll(splitter.feed(new byte[] {b}));
        }
        assertThat(events).extracting(EventSplitter.Event::data).containsExactly(null, "{\"a\":1}", "[DONE]");
        assertThat(new String(events.get(1).raw(), StandardCharsets.UTF_8)).isEqualTo("data: {\"a\":1}\r\n\r\n");
    }
}
