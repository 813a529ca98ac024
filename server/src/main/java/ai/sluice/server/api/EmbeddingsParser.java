package ai.sluice.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses an embeddings body as OpenAI defines it: {@code input} is a string, a list of strings, a
 * list of token ids or a list of such lists (none of them empty); {@code encoding_format} is
 * {@code float} or {@code base64}; {@code dimensions} a positive integer. A wrong one is a 400
 * naming it. Whether the model may shorten its vectors is the endpoint's call, not the parser's.
 */
public final class EmbeddingsParser {
    /** OpenAI's limit on inputs per request. */
    public static final int MAX_INPUTS = 2048;
    private static final String SHAPES = "a string, a list of strings, a list of token ids or a list of such lists";

    private final int vocabularySize;

    public EmbeddingsParser(int vocabularySize) {
        this.vocabularySize = vocabularySize;
    }

    public EmbeddingsRequest parse(JsonNode body) {
        Params p = new Params(body);
        String model = p.string("model");
        List<Prompt> inputs = inputs(p.node("input"));
        String format = p.string("encoding_format");
        if (format != null && !format.equals("float") && !format.equals("base64")) {
            throw ApiException.invalid("encoding_format", "'encoding_format' must be \"float\" or \"base64\", got \""
                    + format + "\"");
        }
        Integer dimensions = p.integer("dimensions", 1, Integer.MAX_VALUE);
        p.string("user"); // allowed, and checked to be a string, but it changes nothing here
        return new EmbeddingsRequest(model, inputs, "base64".equals(format), dimensions);
    }

    private List<Prompt> inputs(JsonNode n) {
        if (n == null || n.isNull()) {
            throw ApiException.invalid("input", "'input' is required");
        }
        if (n.isTextual()) {
            return List.of(text(n, "input"));
        }
        if (!n.isArray() || n.isEmpty()) {
            throw ApiException.invalid("input", "'input' must be " + SHAPES + ", and not empty");
        }
        if (n.get(0).isIntegralNumber()) {
            return List.of(new Prompt.Tokens(Params.ints("input", n, 0, vocabularySize - 1)));
        }
        if (n.size() > MAX_INPUTS) {
            throw ApiException.invalid("input", "at most " + MAX_INPUTS + " inputs per request, got " + n.size());
        }
        List<Prompt> out = new ArrayList<>(n.size());
        for (int i = 0; i < n.size(); i++) {
            JsonNode item = n.get(i);
            if (item.isTextual()) {
                out.add(text(item, "input[" + i + "]"));
            } else if (item.isArray() && !item.isEmpty()) {
                out.add(new Prompt.Tokens(Params.ints("input", item, 0, vocabularySize - 1)));
            } else {
                throw ApiException.invalid("input", "'input' lists must hold non-empty strings or non-empty lists of "
                        + "token ids, got " + Params.describe(item) + " at index " + i);
            }
        }
        return out;
    }

    /** OpenAI refuses an empty string: it has no embedding. */
    private static Prompt text(JsonNode n, String where) {
        if (n.asText().isEmpty()) {
            throw ApiException.invalid("input", "'" + where + "' is an empty string, which has no embedding");
        }
        return new Prompt.Text(n.asText());
    }
}
