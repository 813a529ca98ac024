package ai.sluice.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sluice.gateway.GatewayConfig;
import ai.sluice.gateway.GatewayConfigFile;
import ai.sluice.plan.HardwareCatalog;
import ai.sluice.plan.KvPrecision;
import ai.sluice.plan.ModelCatalog;
import ai.sluice.plan.Plan;
import ai.sluice.plan.PlanRequest;
import ai.sluice.plan.Planner;
import ai.sluice.plan.Precision;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRules;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * deploy/kubernetes rendered by {@code kubectl kustomize} (every overlay) and checked object by object:
 * strict parses into the Kubernetes model types (fabric8) or the KEDA / ServiceMonitor schemas, then the
 * properties that matter in production: probes, the drain budget, security, discovery, network isolation,
 * the planner's numbers and the autoscalers' metric and queries.
 */
class KubernetesManifestsTest {

    static final Path KUBERNETES = Path.of("kubernetes");
    static final String SERVE = "sluice-serve";
    static final String GATEWAY = "sluice-gateway";
    static final String HEADLESS = "sluice-serve-replicas";

    private static final Map<String, RenderedOverlay> RENDERED = new ConcurrentHashMap<>();

    static Stream<String> overlays() throws IOException {
        try (Stream<Path> dirs = Files.list(KUBERNETES.resolve("overlays"))) {
            List<String> names = dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
            assertThat(names).contains("cpu", "nvidia-gpu");
            return names.stream();
        }
    }

    static RenderedOverlay rendered(String overlay) {
        return RENDERED.computeIfAbsent(overlay, o -> {
            try {
                return RenderedOverlay.render(RequiredTool.find("kubectl", "install kubectl (>= 1.27, for kustomize 5)"),
                        KUBERNETES.resolve("overlays").resolve(o));
            } catch (IOException | InterruptedException e) {
                throw new AssertionError(e);
            }
        });
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyRenderedObjectParsesStrictlyIntoItsSchema(String overlay) throws Exception {
        RenderedOverlay r = rendered(overlay);
        List<String> kinds = new ArrayList<>();
        for (HasMetadata o : r.objects()) {
            kinds.add(o.getKind());
            if (o instanceof GenericKubernetesResource generic) {
                // the one CRD without a fabric8 model: checked against KEDA's schema essentials instead
                assertThat(generic.getKind()).as("an object fabric8 does not model").isEqualTo("ScaledObject");
                KedaScaledObject keda = KedaScaledObject.parse(r.raw("ScaledObject", generic.getMetadata().getName()));
                assertThat(keda.violations()).as(overlay + " ScaledObject").isEmpty();
                assertThat(StrictModel.unknownFields(keda.behavior())).as("ScaledObject HPA behavior").isEmpty();
            } else {
                assertThat(StrictModel.unknownFields(o)).as(overlay + " " + o.getKind() + " " + o.getMetadata().getName()
                        + ": fields the Kubernetes API does not have").isEmpty();
            }
        }
        assertThat(kinds).contains("Namespace", "ConfigMap", "Deployment", "Service", "PodDisruptionBudget",
                "NetworkPolicy", "ServiceMonitor");
        assertThat(kinds).containsAnyOf("HorizontalPodAutoscaler", "ScaledObject");
        assertThat(r.all(ServiceMonitor.class)).as("ServiceMonitor as fabric8's monitoring.coreos.com/v1 type").hasSize(1);
        assertThat(r.objects()).allSatisfy(o -> {
            if (!o.getKind().equals("Namespace")) {
                assertThat(o.getMetadata().getNamespace()).as(o.getKind() + " namespace").isEqualTo(r.namespace());
            }
        });
    }

    @Test
    void theStrictParseCatchesAMisspeltField() {
        Deployment d = RenderedOverlay.KUBERNETES.unmarshal("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      containers:
                        - name: c
                          image: i
                          readinesProbe: {httpGet: {path: /ready, port: 8000}}
                """, Deployment.class);
        assertThat(StrictModel.unknownFields(d)).containsExactly("spec.template.spec.containers[0].readinesProbe");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void serveIsProbedOnHealthAndReadyWithAStartupBudgetForTheModelLoad(String overlay) {
        Container serve = serveContainer(rendered(overlay));
        int port = serve.getPorts().stream().filter(p -> "http".equals(p.getName())).findFirst().orElseThrow().getContainerPort();
        assertThat(port).isEqualTo(8000);
        assertThat(serve.getArgs()).containsSequence("--port", "8000").containsSequence("--host", "0.0.0.0");

        assertHttpProbe(serve.getLivenessProbe(), "/health");
        assertHttpProbe(serve.getReadinessProbe(), "/ready");
        assertHttpProbe(serve.getStartupProbe(), "/health");
        int startupBudget = budget(serve.getStartupProbe());
        assertThat(startupBudget).as("startupProbe seconds for loading and warming up the model").isBetween(60, 900);
        assertThat(startupBudget).isGreaterThan(budget(serve.getLivenessProbe()));
        assertThat(serve.getReadinessProbe().getFailureThreshold()).as("out of rotation at the first 503").isEqualTo(1);
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void terminationGraceIsPreStopPlusDrainTimesOneAndAHalf(String overlay) {
        Deployment serve = rendered(overlay).one(Deployment.class, SERVE);
        Container c = serveContainer(rendered(overlay));
        long preStop = c.getLifecycle().getPreStop().getSleep().getSeconds();
        long drain = Long.parseLong(argAfter(c.getArgs(), "--drain-timeout"));
        assertThat(preStop).as("preStop sleep: long enough for the gateway to re-resolve DNS").isGreaterThanOrEqualTo(5);
        assertThat(drain).isPositive();
        assertThat(serve.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
                .as("(preStop %d + drain %d) x 1.5", preStop, drain)
                .isEqualTo((long) Math.ceil((preStop + drain) * 1.5));
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyContainerIsNonRootReadOnlyAndWithoutCapabilities(String overlay) {
        for (Deployment d : rendered(overlay).all(Deployment.class)) {
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
            assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(65532L);
            assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
            assertThat(pod.getAutomountServiceAccountToken()).isFalse();
            List<Container> all = new ArrayList<>(pod.getContainers());
            all.addAll(pod.getInitContainers());
            for (Container c : all) {
                String what = d.getMetadata().getName() + "/" + c.getName();
                assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).as(what).isTrue();
                assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).as(what).isFalse();
                assertThat(c.getSecurityContext().getCapabilities().getDrop()).as(what).containsExactly("ALL");
                assertThat(c.getSecurityContext().getCapabilities().getAdd()).as(what).isNullOrEmpty();
                assertThat(c.getVolumeMounts()).as(what + " has a writable /tmp").anyMatch(m -> m.getMountPath().equals("/tmp"));
                assertThat(c.getResources().getLimits()).as(what + " memory limit").containsKey("memory");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void theModelIsPulledIntoTheCacheThatServeReads(String overlay) {
        PodSpec pod = rendered(overlay).one(Deployment.class, SERVE).getSpec().getTemplate().getSpec();
        Container pull = pod.getInitContainers().stream().filter(c -> c.getName().equals("pull-model")).findFirst().orElseThrow();
        Container serve = serveContainer(rendered(overlay));
        assertThat(pull.getArgs()).startsWith("pull", "$(MODEL_SOURCE)").containsSequence("--cache-dir", "/var/cache/sluice");
        assertThat(serve.getArgs()).startsWith("serve").containsSequence("--model", "$(MODEL_SOURCE)");
        for (Container c : List.of(pull, serve)) {
            assertThat(c.getVolumeMounts()).anyMatch(m -> m.getName().equals("model-cache") && m.getMountPath().equals("/var/cache/sluice"));
            assertThat(c.getEnv()).anyMatch(e -> e.getName().equals("SLUICE_CACHE_DIR") && e.getValue().equals("/var/cache/sluice"));
            assertThat(c.getEnvFrom()).anyMatch(e -> e.getConfigMapRef() != null
                    && e.getConfigMapRef().getName().startsWith("sluice-model"));
        }
        // the generated ConfigMap (name with its hash suffix) is the one referenced
        String configMap = serve.getEnvFrom().stream().filter(e -> e.getConfigMapRef() != null).findFirst().orElseThrow()
                .getConfigMapRef().getName();
        JsonNode data = rendered(overlay).raw("ConfigMap", configMap).path("data");
        assertThat(data.path("MODEL_SOURCE").asText()).isNotBlank();
        assertThat(data.path("MODEL_NAME").asText()).isNotBlank();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void theGatewayFindsReplicasThroughTheHeadlessService(String overlay) {
        RenderedOverlay r = rendered(overlay);
        Map<String, String> servePods = r.one(Deployment.class, SERVE).getSpec().getTemplate().getMetadata().getLabels();
        Service headless = r.one(Service.class, HEADLESS);
        assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(headless.getSpec().getPublishNotReadyAddresses()).isFalse();
        assertThat(servePods).containsAllEntriesOf(headless.getSpec().getSelector());
        assertThat(servePods).containsAllEntriesOf(r.one(Service.class, SERVE).getSpec().getSelector());

        PodSpec gatewayPod = r.one(Deployment.class, GATEWAY).getSpec().getTemplate().getSpec();
        Container gateway = gatewayPod.getContainers().getFirst();
        assertThat(gateway.getReadinessProbe().getHttpGet().getPath())
                .as("the gateway's /ready is 503 with no replica up: at zero replicas nothing could wake one").isEqualTo("/health");
        // its settings file, read by the gateway's own parser (unknown or malformed fields fail here as at start)
        assertThat(gateway.getArgs()).containsSequence("--config", "/etc/sluice/gateway.yaml");
        assertThat(gateway.getVolumeMounts()).anyMatch(m -> m.getName().equals("config") && m.getMountPath().equals("/etc/sluice"));
        String configMap = gatewayPod.getVolumes().stream().filter(v -> v.getName().equals("config")).findFirst()
                .orElseThrow().getConfigMap().getName();
        List<String> warnings = new ArrayList<>();
        GatewayConfig config = GatewayConfigFile.parse("gateway.yaml",
                r.raw("ConfigMap", configMap).path("data").path("gateway.yaml").asText(), warnings::add);
        assertThat(warnings).as("our own manifests use no deprecated field (backends: is now replicas:)").isEmpty();
        assertThat(config.host()).isEqualTo("0.0.0.0");
        assertThat(config.port()).isEqualTo(gateway.getPorts().stream().filter(p -> "http".equals(p.getName()))
                .findFirst().orElseThrow().getContainerPort());
        assertThat(config.replicas()).singleElement().satisfies(replica -> {
            assertThat(replica.getHost()).isEqualTo(HEADLESS);
            assertThat(replica.getPort()).isEqualTo(headless.getSpec().getPorts().getFirst().getPort());
        });
        // a held request must outlive a Prometheus scrape (15 s) and an autoscaler poll (10-15 s) to be seen at all,
        // and with scale to zero a whole cold start
        long holdSeconds = config.holdTimeout().toSeconds();
        assertThat(holdSeconds).isGreaterThanOrEqualTo(30);
        boolean toZero = r.raw().stream().anyMatch(n -> n.path("kind").asText().equals("ScaledObject")
                && n.at("/spec/minReplicaCount").asInt(1) == 0);
        if (toZero) {
            assertThat(holdSeconds).as("hold through KEDA noticing (25 s) and a replica's startup budget")
                    .isGreaterThanOrEqualTo(25 + budget(serveContainer(r).getStartupProbe()));
        }

        PodDisruptionBudget pdb = r.one(PodDisruptionBudget.class, SERVE);
        assertThat(matches(pdb.getSpec().getSelector(), servePods)).isTrue();
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void onlyTheGatewayAndPrometheusReachTheReplicas(String overlay) {
        RenderedOverlay r = rendered(overlay);
        Map<String, String> servePods = r.one(Deployment.class, SERVE).getSpec().getTemplate().getMetadata().getLabels();
        Map<String, String> gatewayPods = r.one(Deployment.class, GATEWAY).getSpec().getTemplate().getMetadata().getLabels();
        NetworkPolicy policy = r.all(NetworkPolicy.class).stream()
                .filter(p -> matches(p.getSpec().getPodSelector(), servePods)).findFirst().orElseThrow();
        assertThat(policy.getSpec().getPolicyTypes()).contains("Ingress");
        List<NetworkPolicyPeer> peers = policy.getSpec().getIngress().stream().flatMap(i -> i.getFrom().stream()).toList();
        assertThat(peers).isNotEmpty().allSatisfy(peer -> {
            if (peer.getPodSelector() != null) {
                assertThat(peer.getNamespaceSelector()).as("pods of this namespace only").isNull();
                assertThat(matches(peer.getPodSelector(), gatewayPods)).as("admits the gateway").isTrue();
                assertThat(matches(peer.getPodSelector(), servePods)).as("not replica to replica").isFalse();
            } else {
                assertThat(peer.getIpBlock()).as("no address ranges").isNull();
                assertThat(peer.getNamespaceSelector().getMatchLabels())
                        .containsExactly(Map.entry("kubernetes.io/metadata.name", "monitoring"));
            }
        });
        assertThat(peers).anyMatch(p -> p.getPodSelector() != null);
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void resourcesAreThePlannersNumbers(String overlay) throws IOException {
        // the patch's comment names the plan command; recompute it and compare with the flags and limits
        Path patch;
        try (Stream<Path> files = Files.list(KUBERNETES.resolve("overlays").resolve(overlay))) {
            patch = files.filter(f -> {
                try {
                    return Files.readString(f).contains("./sluice plan ");
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }).findFirst().orElseThrow(() -> new AssertionError(overlay + ": no file names the ./sluice plan command"));
        }
        Matcher m = Pattern.compile("\\./sluice plan (.*)").matcher(Files.readString(patch));
        assertThat(m.find()).isTrue();
        Map<String, String> flags = new HashMap<>();
        Matcher f = Pattern.compile("--([a-z-]+) (\\S+)").matcher(m.group(1));
        while (f.find()) {
            flags.put(f.group(1), f.group(2));
        }
        Plan plan = Planner.plan(new PlanRequest(ModelCatalog.builtIn().find(flags.get("catalog-model")),
                Precision.parse(flags.get("precision")), KvPrecision.parse(flags.getOrDefault("kv-type", "f16")),
                Integer.parseInt(flags.get("context")), Integer.parseInt(flags.get("concurrency")),
                HardwareCatalog.builtIn().find(flags.get("hardware")), PlanRequest.DEFAULT_UTILIZATION,
                PlanRequest.DEFAULT_AMORTIZATION_MONTHS, null));

        Container serve = serveContainer(rendered(overlay));
        assertThat(argAfter(serve.getArgs(), "--kv-cache-memory")).isEqualTo(Long.toString(plan.memory().kvBytes()));
        assertThat(argAfter(serve.getArgs(), "--kv-cache-type")).isEqualTo(flags.getOrDefault("kv-type", "f16"));
        assertThat(argAfter(serve.getArgs(), "--max-num-seqs")).isEqualTo(flags.get("concurrency"));
        assertThat(argAfter(serve.getArgs(), "--max-model-len")).isEqualTo(flags.get("context"));
        Quantity limit = serve.getResources().getLimits().get("memory");
        assertThat(serve.getResources().getRequests().get("memory")).as("Guaranteed QoS").isEqualTo(limit);
        long limitBytes = Quantity.getAmountInBytes(limit).longValueExact();
        // weights (mapped) + KV pool (heap), with the JVM's share on top: the heap is 75% of the limit
        assertThat(limitBytes).isGreaterThan(plan.memory().weightBytes() + plan.memory().kvBytes());
        assertThat(limitBytes * 3 / 4).as("heap (75% of the limit) holds the KV pool").isGreaterThan(plan.memory().kvBytes());
        if (plan.inputs().hardware().contains("cpu") || !serve.getResources().getLimits().containsKey("nvidia.com/gpu")) {
            assertThat(limitBytes).as("CPU: the plan's total fits").isGreaterThanOrEqualTo(plan.memory().totalBytes());
        } else {
            assertThat(serve.getResources().getLimits().get("nvidia.com/gpu")).isEqualTo(
                    new Quantity(Integer.toString(plan.parallelism().tensorParallel())));
        }
        JsonNode cache = rendered(overlay).raw("Deployment", SERVE).at("/spec/template/spec/volumes").findValue("sizeLimit");
        assertThat(Quantity.getAmountInBytes(new Quantity(cache.asText())).longValueExact())
                .as("the cache volume holds the weights").isGreaterThan(plan.memory().weightBytes());
    }

    @Test
    void theCpuOverlayScalesWithAnHpaOnEachReplicasQueueDepth() throws IOException {
        RenderedOverlay r = rendered("cpu");
        HorizontalPodAutoscaler hpa = r.one(HorizontalPodAutoscaler.class, SERVE);
        assertThat(hpa.getApiVersion()).isEqualTo("autoscaling/v2");
        assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(SERVE);
        assertThat(hpa.getSpec().getMetrics()).hasSize(1);
        MetricSpec metric = hpa.getSpec().getMetrics().getFirst();
        assertThat(metric.getType()).isEqualTo("Pods");
        assertThat(metric.getPods().getMetric().getName()).isEqualTo("vllm_num_requests_waiting");
        assertThat(metric.getPods().getTarget().getType()).isEqualTo("AverageValue");
        assertThat(metric.getPods().getTarget().getAverageValue().getNumericalAmount()).isPositive();
        assertThat(r.one(Deployment.class, SERVE).getSpec().getReplicas()).as("the HPA owns the count").isNull();
        assertBehaviourFitsModelLoad(hpa.getSpec().getBehavior().getScaleUp(), hpa.getSpec().getBehavior().getScaleDown(),
                budget(serveContainer(r).getStartupProbe()));

        // the prometheus-adapter rule publishes the Prometheus series under the name the HPA asks for
        JsonNode rule = RenderedOverlay.YAML.readTree(KUBERNETES.resolve("components/hpa/prometheus-adapter-values.yaml").toFile())
                .at("/rules/custom/0");
        assertThat(rule.path("seriesQuery").asText()).startsWith("vllm:num_requests_waiting{");
        assertThat(rule.at("/name/matches").asText()).isEqualTo("^vllm:num_requests_waiting$");
        assertThat(rule.at("/name/as").asText()).isEqualTo(metric.getPods().getMetric().getName());
        assertThat(rule.at("/resources/overrides/pod/resource").asText()).isEqualTo("pod");
        assertThat(rule.path("metricsQuery").asText()).startsWith("sum(<<.Series>>{<<.LabelMatchers>>})");
    }

    @Test
    void theGpuOverlayScalesWithKedaFromZeroOnSummedQueries() throws Exception {
        RenderedOverlay r = rendered("nvidia-gpu");
        assertThat(r.all(HorizontalPodAutoscaler.class)).as("KEDA makes its own HPA; two would fight").isEmpty();
        KedaScaledObject keda = KedaScaledObject.parse(r.raw("ScaledObject", SERVE));
        assertThat(keda.spec().scaleTargetRef().name()).isEqualTo(SERVE);
        assertThat(keda.spec().minReplicaCount()).as("scale to zero").isZero();
        assertThat(keda.spec().maxReplicaCount()).isGreaterThan(1);
        assertThat(keda.spec().cooldownPeriod()).as("idle time before zero covers a model load")
                .isGreaterThanOrEqualTo(budget(serveContainer(r).getStartupProbe()));

        List<KedaScaledObject.Trigger> triggers = keda.prometheusTriggers();
        assertThat(triggers).hasSize(2);
        for (KedaScaledObject.Trigger t : triggers) {
            String query = t.metadata().path("query").asText();
            assertThat(query).as("one value for any number of replicas").startsWith("sum(").endsWith(")");
            assertThat(query).contains("namespace=\"" + r.namespace() + "\"");
            assertThat(t.metricType()).isEqualTo("AverageValue");
            assertThat(Double.parseDouble(t.metadata().path("threshold").asText())).isPositive();
            assertThat(Double.parseDouble(t.metadata().path("activationThreshold").asText())).as("any request wakes it").isZero();
            assertThat(URI.create(t.metadata().path("serverAddress").asText()).getScheme()).isEqualTo("http");
        }
        assertThat(triggers).extracting(t -> t.metadata().path("query").asText())
                .anyMatch(q -> q.contains("vllm:num_requests_waiting{"))
                .anyMatch(q -> q.contains("sluice_gateway_held_requests{"));
        assertBehaviourFitsModelLoad(keda.behavior().getScaleUp(), keda.behavior().getScaleDown(),
                budget(serveContainer(r).getStartupProbe()));

        Container serve = serveContainer(r);
        assertThat(serve.getResources().getLimits()).containsKey("nvidia.com/gpu");
        PodSpec pod = r.one(Deployment.class, SERVE).getSpec().getTemplate().getSpec();
        assertThat(pod.getTolerations()).anyMatch(t -> "nvidia.com/gpu".equals(t.getKey()));
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void theServiceMonitorScrapesServeAndGatewayOnceEach(String overlay) {
        RenderedOverlay r = rendered(overlay);
        ServiceMonitor monitor = r.all(ServiceMonitor.class).getFirst();
        List<String> selected = r.all(Service.class).stream()
                .filter(s -> matches(monitor.getSpec().getSelector(), s.getMetadata().getLabels()))
                .map(s -> s.getMetadata().getName()).sorted().toList();
        assertThat(selected).as("not the headless one: that would scrape each replica twice").containsExactly(GATEWAY, SERVE);
        assertThat(monitor.getSpec().getEndpoints()).singleElement().satisfies(e -> {
            assertThat(e.getPath()).isEqualTo("/metrics");
            assertThat(e.getPort()).isEqualTo("http");
        });
        for (String name : selected) {
            assertThat(r.one(Service.class, name).getSpec().getPorts()).anyMatch(p -> "http".equals(p.getName()));
        }
        Map<String, String> annotations = r.one(Deployment.class, SERVE).getSpec().getTemplate().getMetadata().getAnnotations();
        assertThat(annotations).containsEntry("prometheus.io/scrape", "true").containsEntry("prometheus.io/port", "8000")
                .containsEntry("prometheus.io/path", "/metrics");
    }

    /** Up: bounded per period of about one model load; down: a stabilization window longer than a load. */
    private static void assertBehaviourFitsModelLoad(HPAScalingRules up, HPAScalingRules down, int startupSeconds) {
        assertThat(up.getStabilizationWindowSeconds()).as("react to a burst at once").isZero();
        assertThat(up.getPolicies()).isNotEmpty().allSatisfy(p ->
                assertThat(p.getPeriodSeconds()).as("one step per model load").isGreaterThanOrEqualTo(Math.min(startupSeconds, 60)));
        assertThat(down.getStabilizationWindowSeconds()).as("a lull shorter than a few loads keeps the replicas")
                .isGreaterThanOrEqualTo(startupSeconds);
        assertThat(down.getPolicies()).isNotEmpty().allSatisfy(p -> {
            assertThat(p.getType()).isEqualTo("Pods");
            assertThat(p.getValue()).isEqualTo(1);
        });
    }

    private static Container serveContainer(RenderedOverlay r) {
        return r.one(Deployment.class, SERVE).getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals("serve")).findFirst().orElseThrow();
    }

    private static void assertHttpProbe(Probe probe, String path) {
        assertThat(probe).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
    }

    private static int budget(Probe probe) {
        int period = probe.getPeriodSeconds() != null ? probe.getPeriodSeconds() : 10;
        int failures = probe.getFailureThreshold() != null ? probe.getFailureThreshold() : 3;
        return period * failures;
    }

    private static String argAfter(List<String> args, String flag) {
        int i = args.indexOf(flag);
        assertThat(i).as(flag + " in " + args).isNotNegative().isLessThan(args.size() - 1);
        return args.get(i + 1);
    }

    /** Whether a label selector (matchLabels only; the manifests use no expressions) selects these labels. */
    private static boolean matches(LabelSelector selector, Map<String, String> labels) {
        assertThat(selector.getMatchExpressions()).isNullOrEmpty();
        return labels != null && labels.entrySet().containsAll(selector.getMatchLabels().entrySet());
    }
}
