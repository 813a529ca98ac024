package ai.sluice.server.api;

import java.util.List;

/** A validated {@code POST /v1/completions} body; {@code prompts} has one entry per prompt of a batch. */
public record CompletionRequest(String model, List<Prompt> prompts, SamplingOptions sampling) {
}
