package ai.sluice.engine;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The engine knows requests and the model, never HTTP or the layers above it. */
class EngineArchitectureTest {
    private final JavaClasses engine = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("ai.sluice.engine");

    @Test
    void engineNeverReachesUpToServerGatewayOrHttp() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage(
                        "ai.sluice.server..", "ai.sluice.gateway..", "ai.sluice.bench..", "ai.sluice.cli..",
                        "io.helidon..", "java.net.http..", "com.sun.net.httpserver..", "io.prometheus..")
                .check(engine);
    }
}
