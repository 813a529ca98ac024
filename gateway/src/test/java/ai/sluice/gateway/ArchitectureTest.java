package ai.sluice.gateway;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

class ArchitectureTest {

    @Test
    void gatewayTalksToReplicasOnlyOverHttpAndUsesOnlyTheWireModule() throws URISyntaxException {
        noClasses().that().resideInAPackage("ai.sluice.gateway..")
                .should().dependOnClassesThat().resideInAnyPackage("ai.sluice.core..", "ai.sluice.engine..",
                        "ai.sluice.server..", "ai.sluice.bench..", "ai.sluice.cli..", "ai.sluice.plan..",
                        "ai.sluice.store..")
                .check(new ClassFileImporter().importPath(
                        Path.of(Gateway.class.getProtectionDomain().getCodeSource().getLocation().toURI())));
    }
}
