package ai.sluice.cli.archfixture.cli;

/** Fixture: a class of the "cli" module that others must not use. */
public final class UsefulCliThing {
    public static int answer() {
        return 42;
    }
}
