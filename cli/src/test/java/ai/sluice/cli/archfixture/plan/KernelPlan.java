package ai.sluice.cli.archfixture.plan;

import ai.sluice.cli.archfixture.core.BadCore;

/** Fixture: "plan" using a part of core other than gguf and model, which the rules forbid. */
public final class KernelPlan {
    public int value() {
        return new BadCore().value();
    }
}
