package ai.sluice.server.api;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/**
 * The token-id fields of a completion or chat request, both off for a plain client (which then gets
 * exactly the responses it always got):
 * <ul>
 *   <li>{@code return_token_ids} (vLLM's): the response carries the prompt's token ids and each
 *       choice's generated ids; in a stream each chunk carries the ids of the tokens whose text it
 *       carries.</li>
 *   <li>{@code sluice.resume_token_ids} (Sluice's own, under an object of its name so no other
 *       server's field is taken): these tokens were already generated for this same request (by a
 *       replica that dropped the stream); generate only what follows them, as if that run had gone
 *       on. Needs {@code n} = 1 and one prompt.</li>
 * </ul>
 *
 * @param resumeTokenIds empty when the request is not a resume
 */
public record TokenIdOptions(boolean returnTokenIds, int[] resumeTokenIds) {
    /** The request field of the resumed ids, as errors name it. */
    public static final String RESUME_FIELD = "sluice.resume_token_ids";
    /** The response header that confirms a resume: how many tokens the response continues after. */
    public static final String RESUMED_HEADER = "x-sluice-resumed-tokens";
    private static final String EXTENSION = "sluice";

    public static final TokenIdOptions NONE = new TokenIdOptions(false, new int[0]);

    public boolean resumes() {
        return resumeTokenIds.length > 0;
    }

    /** Reads both fields from a request body; a wrong type, an unknown {@code sluice} key, an id outside the vocabulary is a 400. */
    public static TokenIdOptions parse(JsonNode body, int vocabularySize) {
        Params p = new Params(body);
        boolean returnIds = p.bool("return_token_ids", false);
        JsonNode ext = p.node(EXTENSION);
        int[] resume = new int[0];
        if (ext != null && !ext.isNull()) {
            if (!ext.isObject()) {
                throw ApiException.invalid(EXTENSION, "'" + EXTENSION + "' must be an object, got " + Params.describe(ext));
            }
            // our own namespace: a misspelt key would silently turn a resume into a fresh run (a duplicated text)
            for (Map.Entry<String, JsonNode> e : ext.properties()) {
                if (!e.getKey().equals("resume_token_ids")) {
                    throw ApiException.invalid(EXTENSION + "." + e.getKey(), "'" + EXTENSION + "." + e.getKey()
                            + "' is not a Sluice request field (known: resume_token_ids)");
                }
            }
            JsonNode ids = ext.get("resume_token_ids");
            if (ids != null && !ids.isNull()) {
                if (!ids.isArray()) {
                    throw ApiException.invalid(RESUME_FIELD, "'" + RESUME_FIELD + "' must be a list of token ids, got "
                            + Params.describe(ids));
                }
                resume = Params.ints(RESUME_FIELD, ids, 0, vocabularySize - 1);
            }
        }
        return returnIds || resume.length > 0 ? new TokenIdOptions(returnIds, resume) : NONE;
    }
}
