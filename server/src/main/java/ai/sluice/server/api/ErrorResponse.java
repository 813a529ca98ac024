package ai.sluice.server.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** OpenAI's error body. {@code param} and {@code code} are written as null when absent, as OpenAI does. */
public record ErrorResponse(Error error) {

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Error(String message, String type, String param, String code) {
    }
}
