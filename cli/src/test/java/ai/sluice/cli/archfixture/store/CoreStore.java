package ai.sluice.cli.archfixture.store;

import ai.sluice.cli.archfixture.core.BadCore;

/** Fixture: "store" using core, which the rules forbid (the GGUF header is read in cli, not in store). */
public final class CoreStore {
    public int value() {
        return new BadCore().value();
    }
}
