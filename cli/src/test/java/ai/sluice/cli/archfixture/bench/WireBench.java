package ai.sluice.cli.archfixture.bench;

import ai.sluice.cli.archfixture.wire.WireMessage;

/** Fixture: "bench" using the wire model, which the rules allow. */
public final class WireBench {
    public String role() {
        return new WireMessage("user", "hi").role();
    }
}
