package ai.sluice.cli;

import ai.sluice.gateway.AccessLog;
import ai.sluice.gateway.Gateway;
import ai.sluice.gateway.GatewayConfig;
import ai.sluice.gateway.GatewayConfigFile;
import ai.sluice.gateway.GatewayException;
import ai.sluice.gateway.RouteExplainer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code sluice gateway}: one OpenAI-compatible endpoint over many replicas (routing, health checks, circuit
 * breakers, failover, stream resume). {@code --replica} URLs for the simple case, {@code --config gateway.yaml}
 * for the rest; flags given beside a config file override its address and replicas. Changes to the file are
 * applied while serving, and at once on SIGHUP.
 * <p>{@code --backend URL} is the deprecated old name of {@code --replica} ("backend" is the compute backend,
 * {@code --backend cpu|cuda}, on the commands that run a model): a separate hidden option rather than a second name
 * of {@code --replica}, because picocli does not say which name of an option was used, and help should not offer it.
 */
@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = "Serve one OpenAI-compatible endpoint over several replicas (sluice serve or any OpenAI-style server).")
final class GatewayCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "gateway.yaml (see the README for its fields).")
    Path config;

    @Option(names = "--host", paramLabel = "ADDR", description = "Bind address (default: 127.0.0.1; use 0.0.0.0 to expose it).")
    String host;

    @Option(names = "--port", paramLabel = "N", description = "Port (default: 9000; 0 = any free).")
    Integer port;

    @Option(names = "--replica", paramLabel = "URL", description = "A replica's base URL (http://host:port); repeat for several.")
    List<String> replicas = new ArrayList<>();

    @Option(names = "--backend", paramLabel = "URL", hidden = true, description = "Deprecated: the old name of --replica.")
    List<String> deprecatedBackendFlag = new ArrayList<>();

    @Option(names = "--explain", paramLabel = "JSON",
            description = "Print the route a request body would take under the config (pools, data class, limits), then exit.")
    String explain;

    @Option(names = "--key", paramLabel = "NAME", description = "With --explain: the request carries the api_keys entry of this name.")
    String keyName;

    @Option(names = "--data-class", paramLabel = "CLASS", description = "With --explain: the request's x-sluice-data-class header.")
    String dataClass;

    @Option(names = "--path", paramLabel = "PATH",
            description = "With --explain: the route (default: /v1/chat/completions for messages, else /v1/completions).")
    String path;

    @Override
    public Integer call() throws Exception {
        LogLines.install(LogLines.fromEnvironment()); // one line per record, as serve's (SLUICE_LOG_FORMAT=json)
        if (!deprecatedBackendFlag.isEmpty()) {
            warn("gateway --backend is deprecated, use --replica (same URL; --backend still works for now and will be"
                    + " removed)");
        }
        if (config == null && !replicaFlagsGiven()) {
            throw new GatewayException("give the replicas: --replica URL (repeatable) or --config gateway.yaml");
        }
        GatewayConfig c = withFlags(config != null ? GatewayConfigFile.load(config, GatewayCommand::warn)
                : GatewayConfig.of("127.0.0.1", 9000, List.of()));
        if (explain != null) {
            return explain(c);
        }
        if (keyName != null || dataClass != null || path != null) {
            throw new GatewayException("--key, --data-class and --path go with --explain");
        }
        Gateway gateway = Gateway.start(c, AccessLog.stdout());
        if (config != null) {
            // edits to the file apply without a restart (requests in flight finish under the old config)
            // and SIGHUP reloads it at once, as nginx and envoy do (the usual nudge after a config management run)
            Runnable reloadNow = gateway.watch(config, Duration.ofSeconds(1),
                    file -> withFlags(GatewayConfigFile.load(file, GatewayCommand::warn)), System.err::println);
            ReloadSignal.install(reloadNow);
        }
        // the start line comes after the SIGHUP handler is in place: a script that waits for it may signal at once
        System.err.println("sluice: gateway on " + c.scheme() + "://" + c.host() + ":" + gateway.port() + " over "
                + (c.policy() == null ? c.replicas().size() + " replica(s): " + c.replicas()
                : "pools " + c.effectivePolicy().pools().stream().map(p -> p.name() + " (" + (p.isExternal()
                        ? p.external().wire().name().toLowerCase(java.util.Locale.ROOT) + " provider "
                        + p.external().baseUrl() : p.replicas().size() + " replica(s)") + ")").toList()));
        Runtime.getRuntime().addShutdownHook(new Thread(gateway::close));
        new CountDownLatch(1).await(); // serve until a signal ends the process
        return 0;
    }

    private int explain(GatewayConfig c) {
        JsonNode request;
        try {
            request = new ObjectMapper().readTree(explain);
        } catch (IOException e) {
            throw new GatewayException("--explain: not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (request == null || !request.isObject()) {
            throw new GatewayException("--explain: must be a JSON object (a request body), got " + explain);
        }
        String route = path != null ? path : request.has("messages") ? "/v1/chat/completions" : "/v1/completions";
        RouteExplainer.explain(c, request, route, keyName, dataClass).forEach(System.out::println);
        return 0;
    }

    /** The command line's --host, --port and --replica (or --backend) over what the file says. */
    private GatewayConfig withFlags(GatewayConfig c) {
        if (replicaFlagsGiven()) {
            String flag = replicas.isEmpty() ? "--backend" : "--replica"; // errors name the flag the user typed
            if (c.hasOwnPools()) {
                throw new GatewayException(flag + ": the config file defines pools: list each pool's replicas there");
            }
            List<URI> uris = new ArrayList<>();
            for (String url : replicas) {
                uris.add(GatewayConfigFile.replicaUrl("--replica", url));
            }
            for (String url : deprecatedBackendFlag) {
                uris.add(GatewayConfigFile.replicaUrl("--backend", url));
            }
            c = c.withReplicas(uris);
        }
        c = c.withAddress(host != null ? host : c.host(), port != null ? port : c.port());
        if (c.port() < 0 || c.port() > 65535) {
            throw new GatewayException("--port: must be in [0, 65535], got " + c.port());
        }
        return c;
    }

    private boolean replicaFlagsGiven() {
        return !replicas.isEmpty() || !deprecatedBackendFlag.isEmpty();
    }

    /** One warning line, as the CLI's other warnings. */
    private static void warn(String message) {
        System.err.println("sluice: warning: " + message);
    }
}
