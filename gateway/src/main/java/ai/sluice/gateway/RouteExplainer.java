package ai.sluice.gateway;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code sluice gateway --explain} prints: the route a request would take under a config, from the config
 * alone (no replica is asked: which replicas are up, and whether a pool is spilling, is decided per request).
 */
public final class RouteExplainer {
    private RouteExplainer() {
    }

    /**
     * The route of {@code request} (the JSON body) sent to {@code path} with the key named {@code keyName} (null: no
     * named key) and the x-sluice-data-class header {@code header} (null: none), in lines for a terminal.
     */
    public static List<String> explain(GatewayConfig config, JsonNode request, String path, String keyName, String header) {
        Policy policy = config.effectivePolicy();
        KeySpec key = null;
        if (keyName != null) {
            key = policy.keys().stream().filter(k -> k.name().equals(keyName)).findFirst().orElseThrow(() ->
                    new GatewayException("--key: no key named " + keyName + " in api_keys (names: "
                            + policy.keys().stream().map(KeySpec::name).toList() + ")"));
        }
        String model = request.path("model").isTextual() ? request.get("model").asText() : null;
        List<String> out = new ArrayList<>();
        out.add("request: " + path + (model == null ? "" : " model " + model)
                + (key == null ? "" : ", key " + key.name()) + (header == null ? "" : ", x-sluice-data-class: " + header));
        RoutePolicy.DataClass c;
        try {
            c = RoutePolicy.dataClass(policy, key, header);
        } catch (Refused r) {
            out.add("refused: " + r.status + " " + r.error.message());
            return out;
        }
        List<String> allowed = policy.allowed(c.name());
        out.add(c.name() == null ? "data class: none (every pool may serve it)"
                : "data class: " + c.name() + " (from the " + c.source() + ")");
        if (key != null && key.limited()) {
            out.add(String.format(Locale.ROOT, "key limits: %s requests/s, %s tokens/min, %s tokens/day, $%s/day"
                            + " (0: none)", num(key.requestsPerSecond()), num(key.tokensPerMinute()),
                    key.dailyTokens(), num(key.dailyDollars())));
        }
        out.add("pools, in order of preference:");
        int i = 1;
        List<String> candidates = new ArrayList<>();
        for (String name : allowed) {
            PoolSpec p = policy.pools().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
            String cannot = p.providerCannotServe(path, model);
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %d. %s%s: ", i++, name,
                    p.labels().isEmpty() ? "" : " " + p.labels()));
            if (p.isExternal()) {
                ExternalApi api = p.external();
                line.append(api.wire().name().toLowerCase(Locale.ROOT)).append(" provider ").append(api.baseUrl());
                String theirs = api.theirModel(model);
                if (theirs != null && !theirs.equals(model)) {
                    line.append(", model sent as ").append(theirs);
                }
                if (api.requestsPerSecond() > 0) {
                    line.append(", at most ").append(num(api.requestsPerSecond())).append(" requests/s");
                }
            } else {
                line.append(p.replicas().size()).append(" replica(s)");
            }
            line.append(String.format(Locale.ROOT, ", $%s in / $%s out per 1M tokens",
                    num(p.prices().inputPerMillion()), num(p.prices().outputPerMillion())));
            PoolSpec.Spill t = p.spill();
            if (!Double.isInfinite(t.atWaiting())) {
                line.append(", spills to the next pool at ").append(num(t.atWaiting()))
                        .append(" waiting, back at ").append(num(t.backAtWaiting()));
            }
            if (!Double.isInfinite(t.atWaitMs())) {
                line.append(", spills at a predicted wait of ").append(num(t.atWaitMs()))
                        .append(" ms, back at ").append(num(t.backAtWaitMs()));
            }
            if (cannot != null) {
                line.append(" -- skipped: ").append(cannot);
            } else {
                candidates.add(name);
            }
            out.add(line.toString());
        }
        List<String> never = new ArrayList<>();
        policy.pools().forEach(p -> {
            if (!allowed.contains(p.name())) {
                never.add(p.name());
            }
        });
        if (!never.isEmpty()) {
            out.add("never, whatever fails: " + String.join(", ", never) + " (not allowed for this class)");
        }
        if (candidates.isEmpty()) {
            out.add("route: none: the gateway answers 503 naming these reasons");
        } else {
            out.add("route: " + candidates.getFirst() + (candidates.size() > 1
                    ? "; when it spills or cannot serve: " + String.join(", then ", candidates.subList(1, candidates.size()))
                    : "") + "; when none can: 503 with the reasons");
        }
        return out;
    }

    private static String num(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        // four significant digits, without the trailing zeros: 0.2, 0.8333, 2.5
        return new java.math.BigDecimal(String.format(Locale.ROOT, "%.4g", d)).stripTrailingZeros().toPlainString();
    }
}
