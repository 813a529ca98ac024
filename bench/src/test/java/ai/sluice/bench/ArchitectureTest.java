package ai.sluice.bench;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

class ArchitectureTest {

    @Test
    void benchTalksToServersOnlyOverHttpAndKnowsNoOtherSluiceModule() throws URISyntaxException {
        noClasses().that().resideInAPackage("ai.sluice.bench..")
                .should().dependOnClassesThat().resideInAnyPackage("ai.sluice.core..", "ai.sluice.engine..",
                        "ai.sluice.server..", "ai.sluice.gateway..", "ai.sluice.cli..", "ai.sluice.plan..",
                        "ai.sluice.store..")
                .check(new ClassFileImporter().importPath(mainClasses()));
    }

    /** The module's own compiled classes (scanning the whole class path for a package takes far longer). */
    private static Path mainClasses() throws URISyntaxException {
        return Path.of(Bench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
