package ai.sluice.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One overlay as {@code kubectl kustomize} renders it: every object both as the fabric8 model type its
 * apiVersion/kind names (GenericKubernetesResource for CRDs fabric8 does not model) and as a raw tree.
 */
record RenderedOverlay(String name, List<HasMetadata> objects, List<JsonNode> raw) {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();

    static RenderedOverlay render(Path kubectl, Path overlay) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(kubectl.toString(), "kustomize", overlay.toString())
                .redirectErrorStream(true).start();
        String yaml = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("kubectl kustomize " + overlay + " did not finish in 60 s");
        }
        if (process.exitValue() != 0) {
            throw new AssertionError("kubectl kustomize " + overlay + " failed:\n" + yaml);
        }
        List<HasMetadata> objects = new ArrayList<>();
        List<JsonNode> raw = new ArrayList<>();
        for (String doc : yaml.split("(?m)^---\\s*$")) {
            if (doc.isBlank()) {
                continue;
            }
            JsonNode tree = YAML.readTree(doc);
            Class<?> type = KUBERNETES.getRegisteredKubernetesResource(tree.path("apiVersion").asText(), tree.path("kind").asText());
            Object typed = type != null ? KUBERNETES.unmarshal(doc, type) : KUBERNETES.unmarshal(doc, GenericKubernetesResource.class);
            objects.add((HasMetadata) typed);
            raw.add(tree);
        }
        return new RenderedOverlay(overlay.getFileName().toString(), List.copyOf(objects), List.copyOf(raw));
    }

    <T extends HasMetadata> T one(Class<T> type, String objectName) {
        List<T> found = objects.stream().filter(type::isInstance).map(type::cast)
                .filter(o -> o.getMetadata().getName().equals(objectName)).toList();
        if (found.size() != 1) {
            throw new AssertionError(name + ": expected one " + type.getSimpleName() + " " + objectName + ", found " + found.size());
        }
        return found.getFirst();
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    JsonNode raw(String kind, String objectName) {
        return raw.stream().filter(n -> n.path("kind").asText().equals(kind)
                        && n.path("metadata").path("name").asText().equals(objectName)).findFirst()
                .orElseThrow(() -> new AssertionError(name + ": no " + kind + " " + objectName));
    }

    String namespace() {
        return raw.stream().filter(n -> n.path("kind").asText().equals("Namespace"))
                .map(n -> n.path("metadata").path("name").asText()).findFirst().orElse("");
    }
}
