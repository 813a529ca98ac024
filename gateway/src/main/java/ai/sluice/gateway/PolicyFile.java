package ai.sluice.gateway;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the {@code pools}, {@code data_classes}, {@code default_data_class} and {@code api_keys} parts of
 * gateway.yaml into a {@link Policy}. Every error names the field by its path
 * ({@code gateway.yaml: pools[1].price.input_per_1m: must be a number >= 0, got "x"}).
 */
final class PolicyFile {
    private static final Set<String> POOL_FIELDS = Set.of("name", "labels", ReplicasField.NAME, "external", "price",
            "spill_at_waiting", "spill_back_at_waiting", "spill_at_wait_ms", "spill_back_at_wait_ms");
    private static final Set<String> EXTERNAL_FIELDS = Set.of("api", "base_url", "api_key_env", "api_key_file",
            "models", "timeout_ms", "requests_per_second");
    private static final Set<String> PRICE_FIELDS = Set.of("input_per_1m", "output_per_1m", "replica_hour",
            "output_tokens_per_second");
    private static final Set<String> KEY_FIELDS = Set.of("name", "sha256", "data_class", "requests_per_second",
            "tokens_per_minute", "daily_tokens", "daily_dollars");

    private final String file;
    private final ReplicasField replicasField;

    private PolicyFile(String file, ReplicasField replicasField) {
        this.file = file;
        this.replicasField = replicasField;
    }

    /**
     * The policy in {@code root}, or null when it has no {@code pools} (the plain gateway over {@code replicas});
     * {@code replicasField} reads each replica list (and notes the old key's uses).
     */
    static Policy read(String file, JsonNode root, ReplicasField replicasField) {
        return new PolicyFile(file, replicasField).policy(root);
    }

    private Policy policy(JsonNode root) {
        JsonNode poolsNode = root.get("pools");
        List<PoolSpec> pools = new ArrayList<>();
        if (poolsNode == null) {
            for (String f : List.of("data_classes", "default_data_class")) {
                if (root.has(f)) {
                    throw error(f, "needs pools: (data classes list the pools they may use)");
                }
            }
        } else {
            if (ReplicasField.in(root)) {
                String key = root.has(ReplicasField.NAME) ? ReplicasField.NAME : ReplicasField.OLD_NAME;
                throw error(key, "give " + key + ": (one pool) or pools: (each with its replicas), not both");
            }
            if (!poolsNode.isArray() || poolsNode.isEmpty()) {
                throw error("pools", "must list at least one pool, got " + poolsNode);
            }
            Set<String> names = new HashSet<>();
            for (int i = 0; i < poolsNode.size(); i++) {
                PoolSpec p = pool("pools[" + i + "]", poolsNode.get(i));
                if (!names.add(p.name())) {
                    throw error("pools[" + i + "].name", "\"" + p.name() + "\" is already the name of another pool");
                }
                pools.add(p);
            }
        }
        Map<String, List<String>> classes = dataClasses(root.get("data_classes"), pools);
        String defaultClass = null;
        if (root.has("default_data_class")) {
            defaultClass = text("default_data_class", root.get("default_data_class"));
            if (!classes.containsKey(defaultClass)) {
                throw error("default_data_class", "\"" + defaultClass + "\" is not one of data_classes " + classes.keySet());
            }
        }
        List<KeySpec> keys = keys(root.get("api_keys"), classes);
        if (poolsNode == null) {
            if (keys.isEmpty()) {
                return null;
            }
            // named keys over the plain gateway's one pool; the list itself is checked as the top-level replicas
            ReplicasField.Found found = replicasField.read("", root);
            List<URI> uris = new ArrayList<>();
            if (found != null && found.list().isArray()) {
                for (int i = 0; i < found.list().size(); i++) {
                    uris.add(GatewayConfigFile.replicaUrl(file + ": " + found.key() + "[" + i + "]",
                            found.list().get(i).asText()));
                }
            }
            return new Policy(Policy.single(uris).pools(), classes, defaultClass, keys);
        }
        return new Policy(pools, classes, defaultClass, keys);
    }

    private PoolSpec pool(String at, JsonNode n) {
        if (n == null || !n.isObject()) {
            throw error(at, "must be a mapping (name, replicas or external, price, ...), got " + n);
        }
        known(at, n, POOL_FIELDS, Set.of(ReplicasField.OLD_NAME));
        String name = text(at + ".name", n.get("name"));
        if (!name.matches("[A-Za-z0-9_.-]+")) {
            throw error(at + ".name", "letters, digits, '_', '.', '-' only, got \"" + name + "\"");
        }
        List<String> labels = new ArrayList<>();
        JsonNode l = n.get("labels");
        if (l != null) {
            if (!l.isArray()) {
                throw error(at + ".labels", "must be a list of strings, got " + l);
            }
            for (int i = 0; i < l.size(); i++) {
                labels.add(text(at + ".labels[" + i + "]", l.get(i)));
            }
        }
        ReplicasField.Found found = replicasField.read(at, n);
        JsonNode e = n.get("external");
        if ((found == null) == (e == null)) {
            throw error(at, "give replicas: (URLs of servers) or external: (a provider), exactly one");
        }
        List<URI> replicas = new ArrayList<>();
        ExternalApi external = null;
        if (found != null) {
            JsonNode b = found.list();
            String key = at + "." + found.key();
            if (!b.isArray() || b.isEmpty()) {
                throw error(key, "must list at least one replica URL, got " + b);
            }
            for (int i = 0; i < b.size(); i++) {
                if (!b.get(i).isTextual()) {
                    throw error(key + "[" + i + "]", "must be a URL string, got " + b.get(i));
                }
                replicas.add(GatewayConfigFile.replicaUrl(file + ": " + key + "[" + i + "]", b.get(i).asText()));
            }
        } else {
            external = external(at + ".external", e);
        }
        double[] byQueue = threshold(at, n, "spill_at_waiting", "spill_back_at_waiting", 1);
        double[] byWait = threshold(at, n, "spill_at_wait_ms", "spill_back_at_wait_ms", 1);
        return new PoolSpec(name, labels, replicas, external, prices(at + ".price", n.get("price")),
                new PoolSpec.Spill(byQueue[0], byQueue[1], byWait[0], byWait[1]));
    }

    /**
     * A spill threshold and its way back ({@code back} defaults to half of {@code at}, rounded down; it must be
     * below {@code at}, or traffic would flap); both infinite when {@code at} is not given.
     */
    private double[] threshold(String at, JsonNode n, String atField, String backField, double min) {
        double spillAt = number(at + "." + atField, n.get(atField), Double.POSITIVE_INFINITY, min);
        double spillBack = number(at + "." + backField, n.get(backField),
                Double.isInfinite(spillAt) ? spillAt : Math.floor(spillAt / 2), 0);
        if (!n.has(atField) && n.has(backField)) {
            throw error(at + "." + backField, "needs " + atField);
        }
        if (!Double.isInfinite(spillAt) && spillBack >= spillAt) {
            throw error(at + "." + backField, "must be below " + atField + " (" + fmt(spillAt)
                    + "), or traffic would flap between pools");
        }
        return new double[]{spillAt, spillBack};
    }

    private ExternalApi external(String at, JsonNode n) {
        if (!n.isObject()) {
            throw error(at, "must be a mapping (api, base_url, api_key_env, models, ...), got " + n);
        }
        known(at, n, EXTERNAL_FIELDS);
        String api = n.has("api") ? text(at + ".api", n.get("api")) : "openai";
        ExternalApi.Wire wire = switch (api) {
            case "openai" -> ExternalApi.Wire.OPENAI;
            case "anthropic" -> ExternalApi.Wire.ANTHROPIC;
            default -> throw error(at + ".api", "must be openai or anthropic, got \"" + api + "\"");
        };
        String url = text(at + ".base_url", n.get("base_url"));
        URI base;
        try {
            base = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        } catch (IllegalArgumentException ex) {
            throw error(at + ".base_url", "not a URL: \"" + url + "\"");
        }
        if (!("http".equals(base.getScheme()) || "https".equals(base.getScheme())) || base.getHost() == null) {
            throw error(at + ".base_url", "must be an http(s) URL, got \"" + url + "\"");
        }
        Auth.Secret key = secret(at, n);
        Map<String, String> models = new LinkedHashMap<>();
        JsonNode m = n.get("models");
        if (m != null) {
            if (!m.isObject()) {
                throw error(at + ".models", "must map our model names to the provider's, got " + m);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                models.put(entry.getKey(), text(at + ".models." + entry.getKey(), entry.getValue()));
            }
        }
        double timeoutMs = number(at + ".timeout_ms", n.get("timeout_ms"), 30_000, 1);
        double rps = number(at + ".requests_per_second", n.get("requests_per_second"), 0, 0);
        return new ExternalApi(wire, base, key, models, Duration.ofMillis((long) timeoutMs), rps);
    }

    /** The provider's key from api_key_env (a variable's name) or api_key_file (a path): exactly one. */
    private Auth.Secret secret(String at, JsonNode n) {
        JsonNode env = n.get("api_key_env");
        JsonNode path = n.get("api_key_file");
        if ((env == null) == (path == null)) {
            throw error(at, "give api_key_env (a variable's name) or api_key_file (a path), exactly one");
        }
        if (env != null) {
            String var = text(at + ".api_key_env", env);
            String value = System.getenv(var);
            if (value == null || value.isBlank()) {
                throw error(at + ".api_key_env", "the environment variable " + var + " is not set");
            }
            return new Auth.Secret(value.strip());
        }
        Path p = Path.of(text(at + ".api_key_file", path));
        try {
            String value = Files.readString(p).strip();
            if (value.isEmpty()) {
                throw error(at + ".api_key_file", p + " is empty");
            }
            return new Auth.Secret(value);
        } catch (IOException ex) {
            throw error(at + ".api_key_file", "cannot read " + p);
        }
    }

    private PoolSpec.Prices prices(String at, JsonNode n) {
        if (n == null) {
            return PoolSpec.Prices.FREE;
        }
        if (!n.isObject()) {
            throw error(at, "must be a mapping (input_per_1m and output_per_1m, or replica_hour and"
                    + " output_tokens_per_second), got " + n);
        }
        known(at, n, PRICE_FIELDS);
        boolean perToken = n.has("input_per_1m") || n.has("output_per_1m");
        boolean perHour = n.has("replica_hour") || n.has("output_tokens_per_second");
        if (perToken && perHour) {
            throw error(at, "give per-token prices (input_per_1m, output_per_1m) or a replica-hour price"
                    + " (replica_hour, output_tokens_per_second), not both");
        }
        if (perHour) {
            if (!n.has("replica_hour") || !n.has("output_tokens_per_second")) {
                throw error(at + (n.has("replica_hour") ? ".output_tokens_per_second" : ".replica_hour"),
                        "missing: a replica-hour price needs replica_hour ($) and output_tokens_per_second (measured,"
                                + " e.g. with sluice bench)");
            }
            double hour = number(at + ".replica_hour", n.get("replica_hour"), 0, 0);
            double tps = number(at + ".output_tokens_per_second", n.get("output_tokens_per_second"), 0, Double.MIN_VALUE);
            return PoolSpec.Prices.perReplicaHour(hour, tps);
        }
        return new PoolSpec.Prices(number(at + ".input_per_1m", n.get("input_per_1m"), 0, 0),
                number(at + ".output_per_1m", n.get("output_per_1m"), 0, 0));
    }

    private Map<String, List<String>> dataClasses(JsonNode n, List<PoolSpec> pools) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (n == null) {
            return out;
        }
        if (!n.isObject() || n.isEmpty()) {
            throw error("data_classes", "must map each class to the pools it may use, in order, got " + n);
        }
        Set<String> poolNames = new HashSet<>();
        pools.forEach(p -> poolNames.add(p.name()));
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String at = "data_classes." + e.getKey();
            JsonNode list = e.getValue();
            if (!list.isArray() || list.isEmpty()) {
                throw error(at, "must list at least one pool, got " + list);
            }
            List<String> allowed = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                String pool = text(at + "[" + i + "]", list.get(i));
                if (!poolNames.contains(pool)) {
                    throw error(at + "[" + i + "]", "\"" + pool + "\" is not a pool (pools: " + poolNames + ")");
                }
                if (allowed.contains(pool)) {
                    throw error(at + "[" + i + "]", "\"" + pool + "\" is listed twice");
                }
                allowed.add(pool);
            }
            out.put(e.getKey(), allowed);
        }
        return out;
    }

    private List<KeySpec> keys(JsonNode n, Map<String, List<String>> classes) {
        List<KeySpec> out = new ArrayList<>();
        if (n == null) {
            return out;
        }
        if (!n.isArray()) {
            throw error("api_keys", "must be a list of keys (name, sha256, data_class, limits), got " + n);
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < n.size(); i++) {
            String at = "api_keys[" + i + "]";
            JsonNode k = n.get(i);
            if (!k.isObject()) {
                throw error(at, "must be a mapping (name, sha256, ...), got " + k);
            }
            known(at, k, KEY_FIELDS);
            String name = text(at + ".name", k.get("name"));
            if (!names.add(name)) {
                throw error(at + ".name", "\"" + name + "\" is already the name of another key");
            }
            String hex = text(at + ".sha256", k.get("sha256"));
            if (!hex.matches("[0-9a-fA-F]{64}")) {
                throw error(at + ".sha256", "must be 64 hex digits (printf %s KEY | sha256sum), got "
                        + hex.length() + " characters");
            }
            String dataClass = null;
            if (k.has("data_class")) {
                dataClass = text(at + ".data_class", k.get("data_class"));
                if (!classes.containsKey(dataClass)) {
                    throw error(at + ".data_class", "\"" + dataClass + "\" is not one of data_classes " + classes.keySet());
                }
            }
            out.add(new KeySpec(name, HexFormat.of().parseHex(hex), dataClass,
                    number(at + ".requests_per_second", k.get("requests_per_second"), 0, 0),
                    number(at + ".tokens_per_minute", k.get("tokens_per_minute"), 0, 0),
                    (long) whole(at + ".daily_tokens", k.get("daily_tokens")),
                    number(at + ".daily_dollars", k.get("daily_dollars"), 0, 0)));
        }
        return out;
    }

    private void known(String at, JsonNode n, Set<String> fields) {
        known(at, n, fields, Set.of());
    }

    /** As {@link #known(String, JsonNode, Set)}; {@code oldNames} are accepted too but not listed (deprecated). */
    private void known(String at, JsonNode n, Set<String> fields, Set<String> oldNames) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!fields.contains(f) && !oldNames.contains(f)) {
                throw error(at + "." + f, "unknown field (known: " + String.join(", ", fields.stream().sorted().toList()) + ")");
            }
        }
    }

    private String text(String at, JsonNode n) {
        if (n == null) {
            throw error(at, "missing");
        }
        if (!n.isTextual() || n.asText().isBlank()) {
            throw error(at, "must be a non-empty string, got " + n);
        }
        return n.asText();
    }

    private double number(String at, JsonNode n, double fallback, double min) {
        if (n == null) {
            return fallback;
        }
        if (!n.isNumber() || !Double.isFinite(n.asDouble()) || n.asDouble() < min) {
            throw error(at, "must be a number >= " + (min == Double.MIN_VALUE ? "0 (not 0)" : fmt(min)) + ", got " + n);
        }
        return n.asDouble();
    }

    private double whole(String at, JsonNode n) {
        if (n == null) {
            return 0;
        }
        if (!n.canConvertToExactIntegral() || n.asLong() < 0) {
            throw error(at, "must be a whole number >= 0, got " + n);
        }
        return n.asLong();
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private GatewayException error(String at, String what) {
        return new GatewayException(file + ": " + at + ": " + what);
    }
}
