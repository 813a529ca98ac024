package ai.sluice.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Active checks: every replica's {@code /health} each {@code healthInterval} (a refused connection fails it at
 * once, a timeout or non-200 after two in a row), its {@code /metrics} (load) each {@code scrapeInterval} and its
 * {@code /v1/models} every tenth scrape (and whenever it turns healthy). Every check runs on its own virtual thread, so a frozen replica delays nobody else's.
 */
final class Prober implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("ai.sluice.gateway");

    private final GatewayConfig config;
    private final HttpClient http;
    private final java.util.function.Supplier<List<Replica>> replicas;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<Replica, Integer> failedChecks = new ConcurrentHashMap<>();
    private final Map<Replica, Boolean> checking = new ConcurrentHashMap<>();
    private final Map<Replica, Integer> scrapes = new ConcurrentHashMap<>();
    private static final int MODELS_EVERY = 10;
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "gateway-prober");
        t.setDaemon(true);
        return t;
    });

    Prober(GatewayConfig config, HttpClient http, java.util.function.Supplier<List<Replica>> replicas) {
        this.config = config;
        this.http = http;
        this.replicas = replicas;
    }

    /** Also runs {@code task} every {@code interval} on the prober's thread (re-resolving replica names). */
    void every(Duration interval, Runnable task) {
        ticks.scheduleWithFixedDelay(task, interval.toNanos(), interval.toNanos(), TimeUnit.NANOSECONDS);
    }

    void start() {
        ticks.scheduleWithFixedDelay(() -> replicas.get().forEach(r -> Thread.startVirtualThread(() -> health(r))),
                0, config.healthInterval().toNanos(), TimeUnit.NANOSECONDS);
        ticks.scheduleWithFixedDelay(() -> replicas.get().forEach(r -> Thread.startVirtualThread(() -> scrape(r))),
                0, config.scrapeInterval().toNanos(), TimeUnit.NANOSECONDS);
    }

    private void health(Replica r) {
        if (checking.putIfAbsent(r, Boolean.TRUE) != null) {
            return; // the last check is still waiting for its timeout
        }
        try {
            boolean ok;
            boolean certain = false;
            try {
                HttpResponse<Void> res = http.send(HttpRequest.newBuilder(r.base().resolve("/health"))
                        .timeout(config.healthTimeout()).GET().build(), HttpResponse.BodyHandlers.discarding());
                ok = res.statusCode() == 200;
            } catch (ConnectException refused) {
                ok = false;
                certain = true;
            } catch (Exception e) {
                ok = false;
            }
            if (ok) {
                failedChecks.remove(r);
                if (!r.healthy()) {
                    LOG.log(System.Logger.Level.INFO, "replica " + r + " is healthy");
                    r.models(List.of()); // it may have restarted with another model: ask again now
                    scrape(r); // know its models before the first request goes there
                }
                r.onHealth(true);
                return;
            }
            int failed = failedChecks.merge(r, 1, Integer::sum);
            if (certain || failed >= 2) {
                boolean was = r.healthy();
                if (r.onHealth(false) || was) {
                    // requests in flight there are left to their own timeouts: a replica slow to answer /health
                    // under load may still be finishing them, and failing them all over would pile onto the rest
                    LOG.log(System.Logger.Level.WARNING, "replica " + r + " failed its health check; ejected");
                }
            }
        } finally {
            checking.remove(r);
        }
    }

    private void scrape(Replica r) {
        try {
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(r.base().resolve("/metrics"))
                    .timeout(config.healthTimeout()).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() == 200) {
                r.load(ReplicaLoad.parsePrometheus(res.body()));
                r.resumeWire(ResumeWire.advertisedIn(res.body()));
            }
        } catch (Exception e) {
            // the health check decides about the replica; the last load stays
        }
        if (!r.models().isEmpty() && scrapes.merge(r, 1, Integer::sum) % MODELS_EVERY != 0) {
            return; // models change only on a replica's restart: ask every few scrapes, not each one
        }
        try {
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(r.base().resolve("/v1/models"))
                    .timeout(config.healthTimeout()).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() == 200) {
                JsonNode data = json.readTree(res.body()).path("data");
                List<JsonNode> cards = new ArrayList<>();
                for (JsonNode card : data) {
                    if (card.hasNonNull("id")) {
                        cards.add(card);
                    }
                }
                r.models(cards);
            }
        } catch (Exception e) {
            // keep the last list
        }
    }

    @Override
    public void close() {
        ticks.shutdownNow();
    }

}
