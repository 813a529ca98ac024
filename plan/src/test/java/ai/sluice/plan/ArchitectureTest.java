package ai.sluice.plan;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The planner reads GGUF metadata from core and nothing else of the engine. */
@AnalyzeClasses(packages = "ai.sluice.plan", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    @ArchTest
    static final ArchRule onlyGgufAndModelShapeFromCore = noClasses().that().resideInAPackage("ai.sluice.plan..")
            .should().dependOnClassesThat().resideInAnyPackage("ai.sluice..")
            .andShould().dependOnClassesThat().resideOutsideOfPackages("ai.sluice.plan..", "ai.sluice.core.gguf..",
                    "ai.sluice.core.model..", "java..", "com.fasterxml.jackson..");
}
