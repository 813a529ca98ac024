package ai.sluice.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads {@code gateway.yaml}. Every field is checked at start; an error names the field and says what is wrong
 * ({@code gateway.yaml: health_timeout_ms: must be a whole number of milliseconds > 0, got "fast"}). Unknown
 * fields are errors too: a misspelt setting silently ignored is worse than a refused start.
 * <pre>
 * host: 0.0.0.0
 * port: 9000
 * replicas: [http://10.0.0.1:8000, http://10.0.0.2:8000]
 * health_interval_ms: 500
 * </pre>
 * The old name of {@code replicas:}, {@code backends:}, still reads (one warning line per load): {@link ReplicasField}.
 */
public final class GatewayConfigFile {
    private static final Set<String> FIELDS = Set.of("host", "port", ReplicasField.NAME, "health_interval_ms",
            "health_timeout_ms", "scrape_interval_ms", "first_byte_timeout_ms", "stream_stall_timeout_ms",
            "hold_timeout_ms", "eject_after_failures", "eject_base_ms", "eject_max_ms", "max_attempts",
            "retry_budget_ratio", "retry_budget_min_per_sec", "affinity_prefix_chars", "affinity_load_factor",
            "resume", "resolve_interval_ms", "api_key_sha256", "replica_api_key_env", "replica_api_key_file",
            "tls_certificate_file", "tls_private_key_file", "pools", "data_classes", "default_data_class", "api_keys");

    private GatewayConfigFile() {
    }

    /** Reads {@code file}; its warnings (a deprecated key) go to the gateway's log. */
    public static GatewayConfig load(Path file) {
        return load(file, GatewayConfigFile::log);
    }

    /** Reads {@code file}; each warning (a deprecated key) is one line handed to {@code warnings}, after a clean parse. */
    public static GatewayConfig load(Path file, Consumer<String> warnings) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new GatewayException(file + ": no such file");
        } catch (IOException e) {
            throw new GatewayException(file + ": cannot read (" + e.getMessage() + ")");
        }
        return parse(file.getFileName().toString(), text, warnings);
    }

    /** Parses YAML {@code text}; {@code name} prefixes every error; warnings go to the gateway's log. */
    public static GatewayConfig parse(String name, String text) {
        return parse(name, text, GatewayConfigFile::log);
    }

    /** Parses YAML {@code text}; {@code name} prefixes every error and warning; each warning is one line. */
    public static GatewayConfig parse(String name, String text, Consumer<String> warnings) {
        JsonNode root;
        try {
            root = new YAMLMapper().readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new GatewayException(name + ": not valid YAML: " + e.getOriginalMessage().replaceAll("\\s+", " "));
        } catch (IOException e) {
            throw new GatewayException(name + ": not valid YAML: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new GatewayException(name + ": must be a mapping of settings (host, port, replicas, ...)");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field) && !field.equals(ReplicasField.OLD_NAME)) { // the old name: read, not listed
                throw new GatewayException(name + ": " + field + ": unknown field (known: "
                        + String.join(", ", FIELDS.stream().sorted().toList()) + ")");
            }
        }
        ReplicasField replicasField = new ReplicasField(name);
        Fields f = new Fields(name, root);
        GatewayConfig d = GatewayConfig.of("127.0.0.1", 9000, List.of());
        Policy policy = PolicyFile.read(name, root, replicasField);
        boolean ownPools = policy != null && root.has("pools");
        List<URI> replicas = ownPools ? policy.allReplicas() : f.replicas(replicasField);
        List<byte[]> digests = new ArrayList<>(f.digests());
        if (policy != null) {
            policy.keys().forEach(k -> digests.add(k.sha256()));
        }
        GatewayConfig c = new GatewayConfig(
                f.text("host", d.host()),
                (int) f.number("port", d.port(), 0, 65535),
                replicas,
                f.millis("health_interval_ms", d.healthInterval()),
                f.millis("health_timeout_ms", d.healthTimeout()),
                f.millis("scrape_interval_ms", d.scrapeInterval()),
                f.millis("first_byte_timeout_ms", d.firstByteTimeout()),
                f.millis("stream_stall_timeout_ms", d.streamStallTimeout()),
                f.millis("hold_timeout_ms", d.holdTimeout()),
                (int) f.number("eject_after_failures", d.ejectAfterFailures(), 1, 1000),
                f.millis("eject_base_ms", d.ejectBase()),
                f.millis("eject_max_ms", d.ejectMax()),
                (int) f.number("max_attempts", d.maxAttempts(), 1, 10),
                f.fraction("retry_budget_ratio", d.retryBudgetRatio(), 0, 1),
                f.fraction("retry_budget_min_per_sec", d.retryBudgetMinPerSec(), 0, 1000),
                (int) f.number("affinity_prefix_chars", d.affinityPrefixChars(), 0, 1 << 20),
                f.fraction("affinity_load_factor", d.affinityLoadFactor(), 1, 100),
                f.bool("resume", d.resume()),
                f.millis("resolve_interval_ms", d.resolveInterval()),
                new Auth(digests, f.replicaKey()),
                f.tls(),
                policy);
        if (c.ejectMax().compareTo(c.ejectBase()) < 0) {
            throw new GatewayException(name + ": eject_max_ms: must be at least eject_base_ms ("
                    + c.ejectBase().toMillis() + ")");
        }
        replicasField.warning().ifPresent(warnings);
        return c;
    }

    private static void log(String warning) {
        System.getLogger("ai.sluice.gateway").log(System.Logger.Level.WARNING, warning);
    }

    /** Checks one replica's base URL; {@code what} names where it came from (a field or a flag). */
    public static URI replicaUrl(String what, String value) {
        URI uri;
        try {
            uri = URI.create(value.strip());
        } catch (IllegalArgumentException e) {
            throw new GatewayException(what + ": not a URL: \"" + value + "\"");
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new GatewayException(what + ": must be an http(s)://host:port URL, got \"" + value + "\"");
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        if (!path.isEmpty() && !path.equals("/")) {
            throw new GatewayException(what + ": must be a base URL without a path (the gateway adds /v1/...), got \""
                    + value + "\"");
        }
        return URI.create(uri.getScheme() + "://" + uri.getRawAuthority());
    }

    private record Fields(String name, JsonNode root) {
        private GatewayException bad(String field, String what, JsonNode got) {
            return new GatewayException(name + ": " + field + ": " + what + ", got " + got);
        }

        String text(String field, String fallback) {
            JsonNode n = root.get(field);
            if (n == null) {
                return fallback;
            }
            if (!n.isTextual() || n.asText().isBlank()) {
                throw bad(field, "must be a non-empty string", n);
            }
            return n.asText();
        }

        long number(String field, long fallback, long min, long max) {
            JsonNode n = root.get(field);
            if (n == null) {
                return fallback;
            }
            if (!n.canConvertToExactIntegral() || n.asLong() < min || n.asLong() > max) {
                throw bad(field, "must be a whole number in [" + min + ", " + max + "]", n);
            }
            return n.asLong();
        }

        Duration millis(String field, Duration fallback) {
            JsonNode n = root.get(field);
            if (n == null) {
                return fallback;
            }
            if (!n.canConvertToExactIntegral() || n.asLong() <= 0) {
                throw bad(field, "must be a whole number of milliseconds > 0", n);
            }
            return Duration.ofMillis(n.asLong());
        }

        double fraction(String field, double fallback, double min, double max) {
            JsonNode n = root.get(field);
            if (n == null) {
                return fallback;
            }
            if (!n.isNumber() || n.asDouble() < min || n.asDouble() > max) {
                throw bad(field, "must be a number in [" + min + ", " + max + "]", n);
            }
            return n.asDouble();
        }

        boolean bool(String field, boolean fallback) {
            JsonNode n = root.get(field);
            if (n == null) {
                return fallback;
            }
            if (!n.isBoolean()) {
                throw bad(field, "must be true or false", n);
            }
            return n.asBoolean();
        }

        /** api_key_sha256: hex SHA-256 digests of the client keys (never the keys themselves). */
        List<byte[]> digests() {
            JsonNode n = root.get("api_key_sha256");
            if (n == null) {
                return List.of();
            }
            if (!n.isArray()) {
                throw new GatewayException(name + ": api_key_sha256: must be a list of hex SHA-256 digests");
            }
            List<byte[]> out = new ArrayList<>();
            for (int i = 0; i < n.size(); i++) {
                String hex = n.get(i).asText("");
                if (!n.get(i).isTextual() || !hex.matches("[0-9a-fA-F]{64}")) {
                    throw new GatewayException(name + ": api_key_sha256[" + i + "]: must be 64 hex digits (the SHA-256 of"
                            + " the key: printf %s KEY | sha256sum), got " + hex.length() + " characters");
                }
                out.add(java.util.HexFormat.of().parseHex(hex));
            }
            return out;
        }

        /** The key for replicas, from replica_api_key_env (a variable's name) or replica_api_key_file (a path). */
        Auth.Secret replicaKey() {
            JsonNode env = root.get("replica_api_key_env");
            JsonNode file = root.get("replica_api_key_file");
            if (env != null && file != null) {
                throw new GatewayException(name + ": replica_api_key_env, replica_api_key_file: give one of them");
            }
            if (env != null) {
                String var = text("replica_api_key_env", null);
                String value = System.getenv(var);
                if (value == null || value.isBlank()) {
                    throw new GatewayException(name + ": replica_api_key_env: the environment variable " + var
                            + " is not set");
                }
                return new Auth.Secret(value.strip());
            }
            if (file != null) {
                Path path = Path.of(text("replica_api_key_file", null));
                try {
                    String value = Files.readString(path).strip();
                    if (value.isEmpty()) {
                        throw new GatewayException(name + ": replica_api_key_file: " + path + " is empty");
                    }
                    return new Auth.Secret(value);
                } catch (IOException e) {
                    throw new GatewayException(name + ": replica_api_key_file: cannot read " + path);
                }
            }
            return null;
        }

        /** tls_certificate_file and tls_private_key_file: both (HTTPS) or neither (plain HTTP). */
        ListenerTls tls() {
            JsonNode cert = root.get("tls_certificate_file");
            JsonNode key = root.get("tls_private_key_file");
            if (cert == null && key == null) {
                return null;
            }
            if (cert == null || key == null) {
                throw new GatewayException(name + ": " + (cert == null ? "tls_certificate_file" : "tls_private_key_file")
                        + ": missing: HTTPS needs both tls_certificate_file and tls_private_key_file (PEM)");
            }
            return ListenerTls.read(name, Path.of(text("tls_certificate_file", null)),
                    Path.of(text("tls_private_key_file", null)));
        }

        List<URI> replicas(ReplicasField field) {
            ReplicasField.Found found = field.read("", root);
            JsonNode n = found == null ? null : found.list();
            String key = found == null ? ReplicasField.NAME : found.key();
            if (n == null || !n.isArray() || n.isEmpty()) {
                throw new GatewayException(name + ": " + key + ": must list at least one replica URL, got "
                        + (n == null ? "nothing" : n.toString()));
            }
            List<URI> out = new ArrayList<>();
            for (int i = 0; i < n.size(); i++) {
                JsonNode b = n.get(i);
                if (!b.isTextual()) {
                    throw bad(key + "[" + i + "]", "must be a URL string", b);
                }
                out.add(replicaUrl(name + ": " + key + "[" + i + "]", b.asText()));
            }
            return out;
        }
    }
}
