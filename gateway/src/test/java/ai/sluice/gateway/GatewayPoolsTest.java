package ai.sluice.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Pools over scripted replicas and the Anthropic stand-in on loopback: data classes (never a forbidden pool, a 503
 * that says why), per-key limits (429 with Retry-After), cost counters, config errors naming the field, and the
 * Messages API translation both ways. The same with real {@code sluice serve} processes: cli's
 * GatewayPoolsAgainstServeTest.
 */
class GatewayPoolsTest {
    private static final String MODEL = "stories";
    private static final String KEY_RESTRICTED = "sk-restricted-0001";
    private static final String KEY_LIMITED = "sk-limited-0002";
    private static final String KEY_OPEN = "sk-open-0003";
    private static final String ANTHROPIC_KEY = "sk-ant-standin-secret";
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<String> accessLines = new CopyOnWriteArrayList<>();
    @TempDir
    Path dir;

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    /** A replica answering 10 prompt + 5 completion tokens (streamed: 5 chunks, usage when asked). */
    private FakeReplica replica() throws Exception {
        FakeReplica r = new FakeReplica(MODEL, (ex, body) -> {
            JsonNode req = json.readTree(body);
            if (req.path("stream").asBoolean()) {
                OutputStream out = FakeReplica.startStream(ex);
                for (int i = 0; i < 5; i++) {
                    FakeReplica.event(out, FakeReplica.chunk("cmpl-1", "t" + i));
                }
                if (req.path("stream_options").path("include_usage").asBoolean()) {
                    FakeReplica.event(out, "{\"id\":\"cmpl-1\",\"choices\":[],\"usage\":{\"prompt_tokens\":10,"
                            + "\"completion_tokens\":5,\"total_tokens\":15}}");
                }
                FakeReplica.event(out, "[DONE]");
            } else {
                FakeReplica.send(ex, 200, "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,"
                        + "\"text\":\"hello\",\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":10,"
                        + "\"completion_tokens\":5,\"total_tokens\":15}}");
            }
        });
        open.add(r);
        return r;
    }

    private Gateway gateway(String yaml) throws Exception {
        Gateway g = Gateway.start(GatewayConfigFile.parse("gateway.yaml", "host: 127.0.0.1\nport: 0\n"
                + "health_interval_ms: 100\nhealth_timeout_ms: 300\nscrape_interval_ms: 100\nhold_timeout_ms: 300\n"
                + yaml), new AccessLog(accessLines::add));
        open.add(g);
        return g;
    }

    private static void awaitUp(Gateway g, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (g.replicas().stream().filter(r -> r.routable(System.nanoTime())).count() < n) {
            assertThat(System.nanoTime()).as("replicas up in time").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private HttpResponse<String> post(Gateway g, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port() + path))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String metrics(Gateway g) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static double metric(String text, String regex) {
        Matcher m = Pattern.compile("^" + regex + " ([0-9.eE+-]+)$", Pattern.MULTILINE).matcher(text);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }

    private String twoPools(FakeReplica onprem, FakeReplica cloud) {
        return "pools:\n"
                + "  - {name: onprem, labels: [onprem], replicas: [" + onprem.base() + "],"
                + " price: {input_per_1m: 1.0, output_per_1m: 2.0}}\n"
                + "  - {name: cloud, labels: [cloud], replicas: [" + cloud.base() + "],"
                + " price: {input_per_1m: 3.0, output_per_1m: 6.0}}\n"
                + "data_classes:\n  restricted: [onprem]\n  public: [onprem, cloud]\n"
                + "default_data_class: public\n"
                + "api_keys:\n"
                + "  - {name: team-restricted, sha256: " + Auth.digestHex(KEY_RESTRICTED) + ", data_class: restricted}\n"
                + "  - {name: team-limited, sha256: " + Auth.digestHex(KEY_LIMITED)
                + ", requests_per_second: 1, daily_tokens: 45}\n"
                + "  - {name: team-open, sha256: " + Auth.digestHex(KEY_OPEN) + "}\n";
    }

    @Test
    void aRestrictedRequestNeverLeavesItsPoolsAndA503SaysWhy() throws Exception {
        FakeReplica onprem = replica();
        FakeReplica cloud = replica();
        Gateway g = gateway(twoPools(onprem, cloud));
        awaitUp(g, 2);
        String body = "{\"model\":\"stories\",\"prompt\":\"x\"}";

        HttpResponse<String> first = post(g, "/v1/completions", body, "Authorization", "Bearer " + KEY_RESTRICTED);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("x-sluice-pool")).contains("onprem");
        assertThat(first.headers().firstValue("x-sluice-route")).get().asString()
                .contains("data class restricted (from the key)").contains("first choice");

        // the header may narrow a key's class, never widen it; an unknown class is a 400 naming the header
        assertThat(post(g, "/v1/completions", body, "Authorization", "Bearer " + KEY_RESTRICTED,
                "x-sluice-data-class", "public").statusCode()).isEqualTo(403);
        HttpResponse<String> unknown = post(g, "/v1/completions", body, "Authorization", "Bearer " + KEY_OPEN,
                "x-sluice-data-class", "secret");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(json.readTree(unknown.body()).path("error").path("param").asText()).isEqualTo("x-sluice-data-class");

        onprem.healthy = false; // onprem down
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (g.replicas().getFirst().routable(System.nanoTime())) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(20);
        }
        int cloudBefore = cloud.generations.get();
        HttpResponse<String> refused = post(g, "/v1/completions", body, "Authorization", "Bearer " + KEY_RESTRICTED);
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(json.readTree(refused.body()).path("error").path("message").asText())
                .contains("data class restricted (from the key)").contains("allowed, in order: onprem")
                .contains("never used for this class: cloud").contains("onprem: no ready replica");
        HttpResponse<String> viaHeader = post(g, "/v1/completions", body, "Authorization", "Bearer " + KEY_OPEN,
                "x-sluice-data-class", "restricted");
        assertThat(viaHeader.statusCode()).isEqualTo(503);
        assertThat(cloud.generations.get()).as("requests that reached cloud").isEqualTo(cloudBefore);

        HttpResponse<String> open = post(g, "/v1/completions", body, "Authorization", "Bearer " + KEY_OPEN); // default class: may fail over
        assertThat(open.statusCode()).isEqualTo(200);
        assertThat(open.headers().firstValue("x-sluice-pool")).contains("cloud");
        assertThat(open.headers().firstValue("x-sluice-route")).get().asString()
                .contains("data class public (from the default)").contains("failover: onprem: no ready replica");
        assertThat(cloud.generations.get()).isEqualTo(cloudBefore + 1);
        // the access-log line is written once the answer is sent: it may come a moment after the client has it
        long logged = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (accessLines.stream().noneMatch(l -> l.contains("\"pool\":\"cloud\"") && l.contains("\"key\":\"team-open\""))) {
            assertThat(System.nanoTime()).as("the access-log line of the request cloud served").isLessThan(logged);
            Thread.sleep(10);
        }
        assertThat(String.join("\n", accessLines)).doesNotContain(KEY_RESTRICTED);
    }

    @Test
    void limitsAnswer429WithRetryAfterAndCostIsTokensTimesPrices() throws Exception {
        FakeReplica onprem = replica();
        FakeReplica cloud = replica();
        Gateway g = gateway(twoPools(onprem, cloud));
        awaitUp(g, 2);
        String auth = "Bearer " + KEY_LIMITED;
        assertThat(post(g, "/v1/completions", "{\"model\":\"stories\",\"prompt\":\"x\"}", "Authorization", auth)
                .statusCode()).isEqualTo(200);
        HttpResponse<String> tooFast = post(g, "/v1/completions", "{\"model\":\"stories\",\"prompt\":\"x\"}",
                "Authorization", auth);
        assertThat(tooFast.statusCode()).isEqualTo(429);
        assertThat(Long.parseLong(tooFast.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 2L);
        assertThat(json.readTree(tooFast.body()).path("error").path("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(json.readTree(tooFast.body()).path("error").path("message").asText()).contains("team-limited")
                .doesNotContain(KEY_LIMITED);

        Thread.sleep(1100);
        // a stream: usage asked for by the gateway (the client did not), counted, and not passed on
        HttpResponse<String> stream = post(g, "/v1/completions",
                "{\"model\":\"stories\",\"prompt\":\"x\",\"stream\":true}", "Authorization", auth);
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.body()).contains("t4").doesNotContain("usage").endsWith("data: [DONE]\n\n");
        Thread.sleep(1100);
        // 30 tokens of the 45 a day used: one more answer is let through, then the day's budget is spent
        assertThat(post(g, "/v1/completions", "{\"model\":\"stories\",\"prompt\":\"x\"}", "Authorization", auth)
                .statusCode()).isEqualTo(200);
        Thread.sleep(1100);
        HttpResponse<String> spent = post(g, "/v1/completions", "{\"model\":\"stories\",\"prompt\":\"x\"}",
                "Authorization", auth);
        assertThat(spent.statusCode()).isEqualTo(429);
        long retry = Long.parseLong(spent.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retry).as("seconds to the next UTC midnight").isBetween(1L, 86_400L);
        assertThat(json.readTree(spent.body()).path("error").path("param").asText()).isEqualTo("daily_tokens");

        String m = metrics(g);
        double in = metric(m, "sluice_gateway_tokens_total\\{key=\"team-limited\",kind=\"input\",pool=\"onprem\"}");
        double out = metric(m, "sluice_gateway_tokens_total\\{key=\"team-limited\",kind=\"output\",pool=\"onprem\"}");
        assertThat(in).isEqualTo(30);
        assertThat(out).isEqualTo(15);
        assertThat(metric(m, "sluice_gateway_cost_dollars_total\\{key=\"team-limited\",pool=\"onprem\"}"))
                .isCloseTo((in * 1.0 + out * 2.0) / 1e6, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(metric(m, "sluice_gateway_rate_limited_total\\{key=\"team-limited\",limit=\"requests_per_second\"}"))
                .isEqualTo(1);
        assertThat(m).doesNotContain(KEY_LIMITED).doesNotContain(Auth.digestHex(KEY_LIMITED));
    }

    @Test
    void anAnthropicPoolTranslatesRequestsAnswersAndStreams() throws Exception {
        AnthropicStandIn claude = new AnthropicStandIn(ANTHROPIC_KEY);
        open.add(claude);
        Path keyFile = Files.writeString(dir.resolve("anthropic.key"), ANTHROPIC_KEY + "\n");
        Gateway g = gateway("pools:\n  - name: claude\n    labels: [external]\n    external:\n      api: anthropic\n"
                + "      base_url: " + claude.base() + "\n      api_key_file: " + keyFile + "\n"
                + "      models: {stories: claude-standin-1}\n    price: {input_per_1m: 3, output_per_1m: 15}\n");
        String chat = "{\"model\":\"stories\",\"max_tokens\":3,\"temperature\":0.5,\"stop\":\"END\",\"user\":\"u1\","
                + "\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
                + "{\"role\":\"user\",\"content\":\"the little dog ran\"}]";

        HttpResponse<String> whole = post(g, "/v1/chat/completions", chat + "}");
        assertThat(whole.statusCode()).as(whole.body()).isEqualTo(200);
        JsonNode answer = json.readTree(whole.body());
        assertThat(answer.path("object").asText()).isEqualTo("chat.completion");
        assertThat(answer.path("model").asText()).isEqualTo("stories");
        assertThat(answer.path("choices").get(0).path("message").path("content").asText()).isEqualTo("echo: the little");
        assertThat(answer.path("choices").get(0).path("finish_reason").asText()).isEqualTo("length");
        assertThat(answer.path("usage").path("prompt_tokens").asInt()).isEqualTo(6); // 4 words + "be brief"
        assertThat(answer.path("usage").path("completion_tokens").asInt()).isEqualTo(3);
        JsonNode sent = claude.accepted.getLast();
        assertThat(sent.path("model").asText()).isEqualTo("claude-standin-1");
        assertThat(sent.path("system").asText()).isEqualTo("be brief");
        assertThat(sent.path("messages")).hasSize(1);
        assertThat(sent.path("stop_sequences").get(0).asText()).isEqualTo("END");
        assertThat(sent.path("metadata").path("user_id").asText()).isEqualTo("u1");
        assertThat(claude.keysSeen).containsOnly(ANTHROPIC_KEY);

        HttpResponse<String> streamed = post(g, "/v1/chat/completions", chat.replace("\"max_tokens\":3", "\"max_tokens\":50")
                + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        assertThat(streamed.statusCode()).isEqualTo(200);
        StringBuilder text = new StringBuilder();
        String finish = null;
        JsonNode usage = null;
        for (String line : streamed.body().split("\n")) {
            if (!line.startsWith("data: {")) {
                continue;
            }
            JsonNode c = json.readTree(line.substring(6));
            assertThat(c.path("object").asText()).isEqualTo("chat.completion.chunk");
            if (!c.path("choices").isEmpty()) {
                text.append(c.path("choices").get(0).path("delta").path("content").asText(""));
                if (!c.path("choices").get(0).path("finish_reason").isNull()) {
                    finish = c.path("choices").get(0).path("finish_reason").asText();
                }
            } else {
                usage = c.path("usage");
            }
        }
        assertThat(text.toString()).isEqualTo("echo: the little dog ran");
        assertThat(finish).isEqualTo("stop");
        assertThat(usage.path("completion_tokens").asInt()).isEqualTo(5);
        assertThat(streamed.body()).contains(": ping").endsWith("data: [DONE]\n\n");

        JsonNode models = json.readTree(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port()
                + "/v1/models")).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertThat(models.path("data").findValuesAsText("id")).containsExactly("stories"); // ours, not theirs
        // what Messages cannot carry is a 400 naming the field, not a half translation
        HttpResponse<String> tools = post(g, "/v1/chat/completions", chat + ",\"tools\":[]}");
        assertThat(tools.statusCode()).isEqualTo(400);
        assertThat(json.readTree(tools.body()).path("error").path("param").asText()).isEqualTo("tools");
        assertThat(tools.headers().firstValue("x-sluice-pool")).as("nothing was served").isEmpty();
        // a path Messages has no equivalent for: no pool can serve it
        assertThat(post(g, "/v1/completions", "{\"model\":\"stories\",\"prompt\":\"x\"}").statusCode()).isEqualTo(503);
        double cost = metric(metrics(g), "sluice_gateway_cost_dollars_total\\{key=\"anonymous\",pool=\"claude\"}");
        assertThat(cost).isCloseTo(((6 + 6) * 3 + (3 + 5) * 15) / 1e6, org.assertj.core.api.Assertions.within(1e-12));
    }

    @Test
    void aProvidersRateLimitSendsTheRequestToTheNextAllowedPool() throws Exception {
        List<String> authSeen = new CopyOnWriteArrayList<>();
        List<String> modelSeen = new CopyOnWriteArrayList<>();
        FakeReplica provider = new FakeReplica("their-model", (ex, body) -> {
            authSeen.add(ex.getRequestHeaders().getFirst("Authorization"));
            modelSeen.add(json.readTree(body).path("model").asText());
            FakeReplica.send(ex, 429, "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\","
                    + "\"code\":\"rate_limit_exceeded\"}}");
        });
        open.add(provider);
        FakeReplica cloud = replica();
        Path keyFile = Files.writeString(dir.resolve("provider.key"), "sk-provider-42");
        Gateway g = gateway("pools:\n"
                + "  - name: provider\n    external: {base_url: '" + provider.base() + "/v1', api_key_file: " + keyFile
                + ", models: {stories: their-model}}\n"
                + "  - {name: cloud, replicas: [" + cloud.base() + "]}\n");
        awaitUp(g, 2);
        HttpResponse<String> res = post(g, "/v1/completions", "{\"model\":\"stories\",\"prompt\":\"x\"}");
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        assertThat(res.headers().firstValue("x-sluice-pool")).contains("cloud");
        assertThat(res.headers().firstValue("x-sluice-route")).get().asString().contains("failover");
        assertThat(authSeen).containsExactly("Bearer sk-provider-42");
        assertThat(modelSeen).containsExactly("their-model");
        assertThat(String.join("\n", accessLines)).doesNotContain("sk-provider-42");
    }

    @Test
    void aReloadedPolicyRoutesNewRequestsByTheNewClassesAndKeepsThePoolsReplicas() throws Exception {
        FakeReplica a = replica();
        FakeReplica b = replica();
        String pools = "host: 127.0.0.1\nport: 0\nhealth_interval_ms: 100\npools:\n"
                + "  - {name: a, replicas: [" + a.base() + "]}\n  - {name: b, replicas: [" + b.base() + "]}\n";
        Path file = Files.writeString(dir.resolve("gateway.yaml"), pools + "data_classes: {c: [a]}\n");
        Gateway g = Gateway.start(GatewayConfigFile.load(file), new AccessLog(accessLines::add));
        open.add(g);
        List<String> reports = new CopyOnWriteArrayList<>();
        Runnable reloadNow = g.watch(file, Duration.ofHours(1), GatewayConfigFile::load, reports::add);
        awaitUp(g, 2);
        List<Replica> before = g.replicas();
        String body = "{\"model\":\"stories\",\"prompt\":\"x\"}";
        assertThat(post(g, "/v1/completions", body, "x-sluice-data-class", "c").headers().firstValue("x-sluice-pool"))
                .contains("a");
        Files.writeString(file, pools + "data_classes: {c: [b]}\n");
        reloadNow.run();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (reports.isEmpty()) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(20);
        }
        assertThat(reports.getFirst()).contains("reloaded");
        assertThat(g.replicas()).as("the same replica objects: health and breakers carried over").isEqualTo(before);
        assertThat(post(g, "/v1/completions", body, "x-sluice-data-class", "c").headers().firstValue("x-sluice-pool"))
                .contains("b");
    }

    @Test
    void configErrorsNameTheField() {
        String pool = "pools:\n  - {name: a, replicas: [http://127.0.0.1:1]}\n";
        assertThatThrownBy(() -> GatewayConfigFile.parse("gateway.yaml", pool
                + "data_classes:\n  restricted: [a, cloud]\n"))
                .hasMessage("gateway.yaml: data_classes.restricted[1]: \"cloud\" is not a pool (pools: [a])");
        assertThatThrownBy(() -> GatewayConfigFile.parse("gateway.yaml",
                "pools:\n  - {name: a, replicas: [http://127.0.0.1:1], price: {input_per_1m: cheap}}\n"))
                .hasMessageStartingWith("gateway.yaml: pools[0].price.input_per_1m: must be a number >= 0, got \"cheap\"");
        assertThatThrownBy(() -> GatewayConfigFile.parse("gateway.yaml",
                "pools:\n  - {name: a, replicas: [http://127.0.0.1:1], spill_at_waiting: 4, spill_back_at_waiting: 4}\n"))
                .hasMessageStartingWith("gateway.yaml: pools[0].spill_back_at_waiting: must be below spill_at_waiting");
        assertThatThrownBy(() -> GatewayConfigFile.parse("gateway.yaml",
                "pools:\n  - {name: a, replicas: [http://127.0.0.1:1], spill_back_at_wait_ms: 100}\n"))
                .hasMessage("gateway.yaml: pools[0].spill_back_at_wait_ms: needs spill_at_wait_ms");
        assertThatThrownBy(() -> GatewayConfigFile.parse("gateway.yaml",
                "pools:\n  - {name: x, external: {base_url: 'http://127.0.0.1:1/v1', api_key_env: SLUICE_NO_SUCH_VAR_9}}\n"))
                .hasMessage("gateway.yaml: pools[0].external.api_key_env: the environment variable SLUICE_NO_SUCH_VAR_9"
                        + " is not set");
        assertThatThrownBy(() -> GatewayConfigFile.parse("gateway.yaml", pool
                + "api_keys:\n  - {name: k, sha256: abc}\n"))
                .hasMessageStartingWith("gateway.yaml: api_keys[0].sha256: must be 64 hex digits");
        assertThatThrownBy(() -> GatewayConfigFile.parse("gateway.yaml", pool + "data_classes: {p: [a]}\n"
                + "default_data_class: q\n"))
                .hasMessage("gateway.yaml: default_data_class: \"q\" is not one of data_classes [p]");
        assertThatThrownBy(() -> GatewayConfigFile.parse("gateway.yaml", pool + "replicas: [http://127.0.0.1:2]\n"))
                .hasMessageStartingWith("gateway.yaml: replicas: give replicas: (one pool) or pools:");
        assertThatThrownBy(() -> GatewayConfigFile.parse("gateway.yaml",
                "pools:\n  - {name: a, replicas: [http://127.0.0.1:1], colour: red}\n"))
                .hasMessageStartingWith("gateway.yaml: pools[0].colour: unknown field");
    }
}
