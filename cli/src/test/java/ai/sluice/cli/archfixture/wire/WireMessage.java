package ai.sluice.cli.archfixture.wire;

/** Fixture: a record of the "wire" module (the OpenAI wire model). */
public record WireMessage(String role, String content) {
}
