package ai.sluice.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The essentials of KEDA's ScaledObject CRD (keda.sh/v1alpha1, config/crd/bases/keda.sh_scaledobjects.yaml)
 * as strict types: every field the schema has, no other (an unknown field fails the parse), integers that
 * must be integers, trigger metadata that must be strings, and the schema's required fields and minimums.
 * The HPA behavior it embeds is Kubernetes' own type, parsed strictly through fabric8.
 */
record KedaScaledObject(String apiVersion, String kind, JsonNode metadata, Spec spec) {

    record Spec(ScaleTargetRef scaleTargetRef, Integer pollingInterval, Integer cooldownPeriod,
                Integer initialCooldownPeriod, Integer idleReplicaCount, Integer minReplicaCount,
                Integer maxReplicaCount, Advanced advanced, Fallback fallback, List<Trigger> triggers) {
    }

    record ScaleTargetRef(String apiVersion, String kind, String name, String envSourceContainerName) {
    }

    record Advanced(HpaConfig horizontalPodAutoscalerConfig, Boolean restoreToOriginalReplicaCount,
                    JsonNode scalingModifiers) {
    }

    record HpaConfig(String name, JsonNode behavior) {
    }

    record Fallback(String behavior, Integer failureThreshold, Integer replicas) {
    }

    record Trigger(String type, String name, String metricType, JsonNode metadata, JsonNode authenticationRef,
                   Boolean useCachedMetrics) {
    }

    /** The Prometheus scaler's metadata keys (pkg/scalers/prometheus_scaler.go). */
    static final Set<String> PROMETHEUS_KEYS = Set.of("serverAddress", "query", "queryParameters", "threshold",
            "activationThreshold", "namespace", "customHeaders", "ignoreNullValues", "unsafeSsl", "awsRegion",
            "timeout", "identityOwner");

    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    static KedaScaledObject parse(JsonNode tree) throws Exception {
        return STRICT.treeToValue(tree, KedaScaledObject.class);
    }

    /** What the CRD's schema would reject beyond types and unknown fields (empty when valid). */
    List<String> violations() {
        List<String> out = new ArrayList<>();
        if (!"keda.sh/v1alpha1".equals(apiVersion) || !"ScaledObject".equals(kind)) {
            out.add("apiVersion/kind " + apiVersion + "/" + kind);
        }
        if (spec == null) {
            out.add("spec is required");
            return out;
        }
        if (spec.scaleTargetRef() == null || spec.scaleTargetRef().name() == null || spec.scaleTargetRef().name().isEmpty()) {
            out.add("spec.scaleTargetRef.name is required");
        }
        min(out, "pollingInterval", spec.pollingInterval(), 1);
        min(out, "cooldownPeriod", spec.cooldownPeriod(), 0);
        min(out, "initialCooldownPeriod", spec.initialCooldownPeriod(), 0);
        min(out, "idleReplicaCount", spec.idleReplicaCount(), 0);
        min(out, "minReplicaCount", spec.minReplicaCount(), 0);
        min(out, "maxReplicaCount", spec.maxReplicaCount(), 1);
        int max = spec.maxReplicaCount() != null ? spec.maxReplicaCount() : 100;
        if (spec.minReplicaCount() != null && spec.minReplicaCount() > max) {
            out.add("minReplicaCount must be less than or equal to maxReplicaCount");
        }
        if (spec.triggers() == null || spec.triggers().isEmpty()) {
            out.add("spec.triggers needs at least one item");
            return out;
        }
        for (Trigger t : spec.triggers()) {
            if (t.type() == null || t.type().isEmpty() || t.metadata() == null || !t.metadata().isObject()) {
                out.add("a trigger needs type and metadata");
                continue;
            }
            for (Map.Entry<String, JsonNode> e : t.metadata().properties()) {
                if (!e.getValue().isTextual()) {
                    out.add("trigger metadata." + e.getKey() + " must be a string (the CRD's additionalProperties: string)");
                }
                if (t.type().equals("prometheus") && !PROMETHEUS_KEYS.contains(e.getKey())) {
                    out.add("the prometheus scaler has no metadata." + e.getKey());
                }
            }
            if (t.metricType() != null && !Set.of("AverageValue", "Value", "Utilization").contains(t.metricType())) {
                out.add("metricType " + t.metricType());
            }
        }
        return out;
    }

    /** The embedded autoscaling/v2 behavior as Kubernetes' type, or null when absent. */
    HorizontalPodAutoscalerBehavior behavior() {
        if (spec.advanced() == null || spec.advanced().horizontalPodAutoscalerConfig() == null
                || spec.advanced().horizontalPodAutoscalerConfig().behavior() == null) {
            return null;
        }
        return RenderedOverlay.KUBERNETES.unmarshal(spec.advanced().horizontalPodAutoscalerConfig().behavior().toString(),
                HorizontalPodAutoscalerBehavior.class);
    }

    List<Trigger> prometheusTriggers() {
        return spec.triggers().stream().filter(t -> t.type().equals("prometheus")).toList();
    }

    private static void min(List<String> out, String field, Integer value, int minimum) {
        if (value != null && value < minimum) {
            out.add(field + " must be >= " + minimum + ", is " + value);
        }
    }
}
