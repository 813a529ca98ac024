package ai.sluice.wire;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

class ArchitectureTest {

    @Test
    void wireKnowsNoOtherSluiceModuleAndNoHttpStack() throws URISyntaxException {
        noClasses().that().resideInAPackage("ai.sluice.wire..")
                .should().dependOnClassesThat().resideInAnyPackage("ai.sluice.core..", "ai.sluice.engine..",
                        "ai.sluice.server..", "ai.sluice.gateway..", "ai.sluice.cli..", "ai.sluice.plan..",
                        "ai.sluice.bench..", "ai.sluice.store..", "io.helidon..", "java.net.http..")
                .check(new ClassFileImporter().importPath(mainClasses()));
    }

    private static Path mainClasses() throws URISyntaxException {
        return Path.of(Sse.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
