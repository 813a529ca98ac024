package ai.sluice.cli;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.lang.ArchRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The module rules of docs/ARCHITECTURE.md as ArchUnit rules, over the packages under a root
 * ({@code ai.sluice} for the real code; a fixture root in the test that shows the rules bite).
 * The one rule set of the project: cli is the only module whose class path holds every other, so
 * the rules live and run here (no module keeps rules of its own). A module that does not exist
 * yet has no classes, and its rules pass ({@code allowEmptyShould}).
 */
final class ArchitectureRules {
    /** Which of our modules each module may use; the table in docs/ARCHITECTURE.md. */
    static final Map<String, Set<String>> MAY_USE = mayUse();

    /** HTTP stacks that must stay out of the computation layers (core, engine). */
    static final String[] HTTP = {"io.helidon..", "com.sun.net.httpserver..", "java.net.http.."};

    /** A metrics library: the engine keeps plain counters and histograms, the server exports them. */
    static final String[] METRICS_LIBRARY = {"io.prometheus.."};

    /** The parts of core that plan may read: GGUF metadata and the model shape (and KV element type). */
    static final String[] CORE_FOR_PLAN = {"gguf..", "model.."};
    /** The KV element type, which lives beside the compute seam, is the one class of core.tensor plan reads. */
    static final String KV_TYPE_FOR_PLAN = ".core.tensor.KvType";

    private ArchitectureRules() {
    }

    private static Map<String, Set<String>> mayUse() {
        Map<String, Set<String>> m = new LinkedHashMap<>();
        m.put("core", Set.of());
        m.put("cuda", Set.of("core")); // the CUDA driver bindings and kernels: below the engine, beside core's CPU kernels
        m.put("engine", Set.of("core"));
        m.put("server", Set.of("engine", "core", "wire", "grammar"));
        m.put("wire", Set.of()); // the OpenAI wire model (JSON records), shared by server, gateway and bench
        m.put("gateway", Set.of("wire")); // talks to replicas over HTTP only: works with any OpenAI-style server
        m.put("store", Set.of()); // model sources and the local tier: nothing of ours
        m.put("grammar", Set.of()); // constrained decoding over byte strings: no models, no requests
        m.put("plan", Set.of("core"));
        m.put("bench", Set.of("wire")); // talks to servers over HTTP only
        m.put("cli", Set.of("core", "cuda", "engine", "server", "wire", "gateway", "store", "plan", "bench",
                "grammar"));
        return Map.copyOf(m);
    }

    static List<ArchRule> rules(String root) {
        List<ArchRule> rules = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : MAY_USE.entrySet()) {
            String module = e.getKey();
            List<String> forbidden = new ArrayList<>();
            for (String other : MAY_USE.keySet()) {
                if (!other.equals(module) && !e.getValue().contains(other)) {
                    forbidden.add(root + "." + other + "..");
                }
            }
            if (forbidden.isEmpty()) {
                continue;
            }
            rules.add(noClasses().that().resideInAPackage(root + "." + module + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(forbidden.toArray(String[]::new))
                    .as(module + " uses only " + (e.getValue().isEmpty() ? "none" : e.getValue())
                            + " of the other Sluice modules")
                    .allowEmptyShould(true));
        }
        for (String module : List.of("core", "cuda", "engine", "wire", "grammar")) { // wire: Jackson only, framing without a transport
            rules.add(noClasses().that().resideInAPackage(root + "." + module + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(HTTP)
                    .as(module + " knows no HTTP library")
                    .allowEmptyShould(true));
        }
        // --backend: one class opens a GPU backend, so the rest of the CLI (and every command) stays backend-neutral
        rules.add(noClasses().that().resideInAPackage(root + ".cli..")
                .and().doNotHaveFullyQualifiedName(root + ".cli.BackendSelection")
                .should().dependOnClassesThat().resideInAPackage(root + ".cuda..")
                .as("in cli only BackendSelection knows the cuda module")
                .allowEmptyShould(true));
        rules.add(noClasses().that().resideInAPackage(root + ".engine..")
                .should().dependOnClassesThat().resideInAnyPackage(METRICS_LIBRARY)
                .as("engine knows no metrics library")
                .allowEmptyShould(true));
        rules.add(noClasses().that().resideInAPackage(root + ".core.tensor..")
                .should().dependOnClassesThat().resideInAPackage(root + ".core.model..")
                .as("the compute seam (core.tensor) knows nothing of the model that runs on it")
                .allowEmptyShould(true));
        String[] coreForPlan = new String[CORE_FOR_PLAN.length];
        for (int i = 0; i < coreForPlan.length; i++) {
            coreForPlan[i] = root + ".core." + CORE_FOR_PLAN[i];
        }
        rules.add(noClasses().that().resideInAPackage(root + ".plan..")
                .should().dependOnClassesThat(resideInAPackage(root + ".core..").and(not(resideInAnyPackage(coreForPlan)))
                        .and(not(name(root + KV_TYPE_FOR_PLAN))))
                .as("plan reads only GGUF metadata and the model shape from core")
                .allowEmptyShould(true));
        return rules;
    }
}
