package ai.sluice.cli.archfixture.gateway;

import ai.sluice.cli.archfixture.core.BadCore;

/** Fixture: "gateway" using core, which the rules forbid (it must work against any server). */
public final class CoreGateway {
    public int value() {
        return new BadCore().value();
    }
}
