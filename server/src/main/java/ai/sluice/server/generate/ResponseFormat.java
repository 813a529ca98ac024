package ai.sluice.server.generate;

import ai.sluice.server.api.Usage;

import java.util.List;

/** How one endpoint shapes its output: the full response and the stream chunks. */
public interface ResponseFormat {

    /** The first chunk of a choice's stream, or null when the format has none. */
    Object streamStart(int choice);

    /** New text (possibly empty when only logprobs are new) of one choice. */
    Object streamDelta(int choice, String text, List<ChoiceState.LoggedToken> logprobs, int textOffset);

    Object streamFinish(int choice, String finishReason);

    /** The usage-only last chunk. */
    Object streamUsage(Usage usage);

    Object response(List<ChoiceState> choices, Usage usage);
}
