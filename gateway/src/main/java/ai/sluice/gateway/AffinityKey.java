package ai.sluice.gateway;

import com.fasterxml.jackson.databind.JsonNode;

/** What sends requests that share a prefix to the same replica (where that prefix is cached). */
final class AffinityKey {
    private AffinityKey() {
    }

    /**
     * The request's {@code user}, else the first {@code limit} characters of its prompt (completions) or messages
     * (chat); null when there is neither (or {@code limit} is 0 and there is no user).
     */
    static String of(JsonNode request, int limit) {
        JsonNode user = request.get("user");
        if (user != null && user.isTextual() && !user.asText().isEmpty()) {
            return "user:" + user.asText();
        }
        if (limit == 0) {
            return null;
        }
        StringBuilder key = new StringBuilder();
        JsonNode prompt = request.get("prompt");
        if (prompt != null) {
            key.append(prompt.isTextual() ? prompt.asText() : prompt.toString());
        } else {
            for (JsonNode m : request.path("messages")) {
                key.append(m.path("role").asText()).append(':').append(m.path("content").isTextual()
                        ? m.get("content").asText() : m.path("content").toString()).append('\n');
                if (key.length() >= limit) {
                    break;
                }
            }
        }
        if (key.isEmpty()) {
            return null;
        }
        return key.length() <= limit ? key.toString() : key.substring(0, limit);
    }
}
