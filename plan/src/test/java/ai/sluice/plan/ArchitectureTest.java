package ai.sluice.plan;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The planner reads GGUF metadata from core (gguf, model shape) and nothing else of ours. */
@AnalyzeClasses(packages = "ai.sluice.plan",
        importOptions = {ImportOption.DoNotIncludeTests.class, ImportOption.DoNotIncludeJars.class})
class ArchitectureTest {
    @ArchTest
    static final ArchRule onlyGgufAndModelShapeFromCore = noClasses().that().resideInAPackage("ai.sluice.plan..")
            .should().dependOnClassesThat(resideInAPackage("ai.sluice..")
                    .and(not(resideInAnyPackage("ai.sluice.plan..", "ai.sluice.core.gguf..",
                            "ai.sluice.core.model.."))));
}
