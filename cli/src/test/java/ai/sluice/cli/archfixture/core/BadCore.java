package ai.sluice.cli.archfixture.core;

import ai.sluice.cli.archfixture.cli.UsefulCliThing;

/** Fixture: "core" reaching up into "cli", which the rules forbid. */
public final class BadCore {
    public int value() {
        return UsefulCliThing.answer();
    }
}
