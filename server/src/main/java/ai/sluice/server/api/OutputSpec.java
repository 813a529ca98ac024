package ai.sluice.server.api;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * What a request asks its output to be, before compiling. {@code field} is the request field it came
 * from, for error messages.
 */
public sealed interface OutputSpec {
    String field();

    /** A canonical text of the spec: equal specs share one compiled grammar. */
    String key();

    /** Any JSON object ({@code json_object}). */
    record AnyJsonObject(String field) implements OutputSpec {
        @Override
        public String key() {
            return "json_object";
        }
    }

    /** A document valid against a JSON Schema. */
    record JsonSchema(String field, JsonNode schema) implements OutputSpec {
        @Override
        public String key() {
            return "json_schema:" + schema;
        }
    }

    /** A full match of a regular expression. */
    record Regex(String field, String pattern) implements OutputSpec {
        @Override
        public String key() {
            return "regex:" + pattern;
        }
    }

    /** Exactly one of the strings. */
    record Choice(String field, List<String> choices) implements OutputSpec {
        @Override
        public String key() {
            return "choice:" + String.join("\u0000", choices);
        }
    }

    /** A GBNF grammar (llama.cpp's format; vLLM's EBNF grammars in the same notation). */
    record Gbnf(String field, String grammar) implements OutputSpec {
        @Override
        public String key() {
            return "gbnf:" + grammar;
        }
    }
}
