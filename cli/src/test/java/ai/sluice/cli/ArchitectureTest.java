package ai.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Keeps the module rules of docs/ARCHITECTURE.md ({@link ArchitectureRules}, the project's one rule
 * set). The cli module sees every module on its class path, so the rules run here over all of
 * {@code ai.sluice}.
 */
class ArchitectureTest {
    private static final String FIXTURES = "ai.sluice.cli.archfixture";
    private static final JavaClasses SLUICE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("ai.sluice");

    @TestFactory
    Stream<DynamicTest> sluiceKeepsTheModuleRules() {
        return ArchitectureRules.rules("ai.sluice").stream()
                .map(rule -> DynamicTest.dynamicTest(rule.getDescription(), () -> rule.check(SLUICE)));
    }

    @Test
    void theRulesSeeTheRealCode() {
        // Guards against a vacuous pass: the import must find the modules that exist today.
        assertThat(SLUICE.stream().map(c -> c.getPackageName()))
                .anyMatch(p -> p.startsWith("ai.sluice.core."))
                .anyMatch(p -> p.startsWith("ai.sluice.cli"))
                .anyMatch(p -> p.startsWith("ai.sluice.store"))
                .noneMatch(p -> p.startsWith(FIXTURES));
    }

    @Test
    void theRulesCatchViolations() {
        JavaClasses fixtures = new ClassFileImporter().importPackages(FIXTURES);
        List<String> violated = ArchitectureRules.rules(FIXTURES).stream()
                .map(rule -> rule.evaluate(fixtures))
                .filter(EvaluationResult::hasViolation)
                .map(r -> r.getFailureReport().toString())
                .toList();
        assertThat(violated).hasSize(5);
        assertThat(String.join("\n", violated))
                .contains("core uses only none").contains("BadCore").contains("UsefulCliThing")
                .contains("engine knows no HTTP library").contains("HttpEngine").contains("java.net.http.HttpClient")
                .contains("gateway uses only [wire]").contains("CoreGateway")
                .contains("plan reads only GGUF metadata and the model shape from core").contains("KernelPlan")
                .contains("store uses only none").contains("CoreStore")
                .doesNotContain("WireBench");
    }

    @Test
    void rulesPassWhenAModuleHasNoClasses() {
        JavaClasses onlyCli = new ClassFileImporter().importClasses(ArchitectureTest.class);
        for (ArchRule rule : ArchitectureRules.rules("ai.sluice")) {
            assertThat(rule.evaluate(onlyCli).hasViolation()).as(rule.getDescription()).isFalse();
        }
    }
}
