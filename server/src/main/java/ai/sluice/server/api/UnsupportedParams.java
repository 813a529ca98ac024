package ai.sluice.server.api;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.function.Predicate;

/**
 * vLLM's and OpenAI's request fields that would change the answer and that Sluice does not implement.
 * Each is accepted at its default value (clients that always send the default keep working) and is a
 * 400 naming it otherwise, never silently ignored. Unknown fields stay ignored ({@link RequestParser}).
 */
final class UnsupportedParams {
    /** A field, what its default is (for the message), and which values count as the default. */
    private record Field(String name, String defaultValue, Predicate<JsonNode> isDefault) {
    }

    private static final Predicate<JsonNode> NULL = JsonNode::isNull;
    private static final Predicate<JsonNode> EMPTY = n -> n.isNull() || (n.isContainerNode() && n.isEmpty());

    private static final List<Field> BOTH = List.of(
            new Field("include_stop_str_in_output", "false", n -> n.isNull() || isFalse(n)),
            new Field("skip_special_tokens", "true", n -> n.isNull() || isTrue(n)),
            new Field("spaces_between_special_tokens", "true", n -> n.isNull() || isTrue(n)),
            new Field("bad_words", "none", EMPTY),
            new Field("allowed_token_ids", "none", NULL),
            new Field("prompt_logprobs", "none", NULL),
            new Field("truncate_prompt_tokens", "none", NULL),
            new Field("use_beam_search", "false", n -> n.isNull() || isFalse(n)),
            new Field("return_tokens_as_token_ids", "false", n -> n.isNull() || isFalse(n)));
    private static final List<Field> COMPLETIONS = List.of(
            new Field("add_special_tokens", "true", n -> n.isNull() || isTrue(n)));
    private static final List<Field> CHAT = List.of(
            new Field("add_special_tokens", "false", n -> n.isNull() || isFalse(n)),
            new Field("continue_final_message", "false", n -> n.isNull() || isFalse(n)),
            new Field("chat_template", "none", NULL),
            new Field("functions", "none (use 'tools')", NULL),
            new Field("function_call", "none (use 'tool_choice')", NULL));

    private UnsupportedParams() {
    }

    static void checkCompletion(Params p) {
        check(p, BOTH);
        check(p, COMPLETIONS);
    }

    static void checkChat(Params p) {
        check(p, BOTH);
        check(p, CHAT);
    }

    private static void check(Params p, List<Field> fields) {
        for (Field f : fields) {
            JsonNode n = p.node(f.name());
            if (n != null && !f.isDefault().test(n)) {
                throw ApiException.invalid(f.name(), "'" + f.name() + "' is not supported; only its default ("
                        + f.defaultValue() + ") is accepted");
            }
        }
    }

    private static boolean isTrue(JsonNode n) {
        return n.isBoolean() && n.asBoolean();
    }

    private static boolean isFalse(JsonNode n) {
        return n.isBoolean() && !n.asBoolean();
    }
}
