package ai.sluice.server.generate;

import ai.sluice.server.api.Usage;

import java.util.List;

/** How one endpoint shapes its output: the full response and the stream chunks. */
public interface ResponseFormat {

    /** The first chunk of a choice's stream, or null when the format has none. */
    Object streamStart(ChoiceState choice);

    /** Whether the client asked for token ids ({@code return_token_ids}); then streams use {@link #streamChunk}. */
    boolean tokenIds();

    /**
     * A stream chunk for a client that asked for token ids: the text, the ids of the tokens whose text
     * it carries ({@code tokenIds}), and the finish reason when it is the choice's last chunk (which
     * then also carries the rest of the text and the stop token's id).
     */
    Object streamChunk(ChoiceState choice, String text, List<ChoiceState.LoggedToken> logprobs, int textOffset,
                       int[] tokenIds, String finishReason);

    /** New text (possibly empty when only logprobs are new) of one choice. */
    Object streamDelta(int choice, String text, List<ChoiceState.LoggedToken> logprobs, int textOffset);

    Object streamFinish(int choice, String finishReason);

    /** The usage-only last chunk. */
    Object streamUsage(Usage usage);

    Object response(List<ChoiceState> choices, Usage usage);
}
