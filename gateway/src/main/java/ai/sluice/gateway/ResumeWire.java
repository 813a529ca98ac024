package ai.sluice.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Arrays;

/**
 * The gateway's side of Sluice's stream-resume wire. A replica that exports {@code sluice:resumed_requests_total}
 * on {@code /metrics} speaks it; other OpenAI-compatible servers never see its fields. For a stream such a replica
 * serves, the gateway asks for token ids ({@code return_token_ids}, vLLM's field), keeps the ids of every chunk it
 * relays (and strips them when the client did not ask), and when the stream drops asks another such replica to
 * continue after exactly those ids ({@code sluice.resume_token_ids}); that replica confirms with the
 * {@code x-sluice-resumed-tokens} header before anything of its answer is relayed. No token is computed twice, and
 * sampling goes on as if nothing had happened.
 */
final class ResumeWire {
    static final String RESUMED_HEADER = "x-sluice-resumed-tokens";
    private static final String ADVERTISED_BY = "sluice:resumed_requests_total";

    private ResumeWire() {
    }

    /** Whether a replica's {@code /metrics} text shows that it speaks the wire. */
    static boolean advertisedIn(String metrics) {
        return metrics.startsWith(ADVERTISED_BY) || metrics.contains("\n" + ADVERTISED_BY);
    }

    /** Whether a client request is a stream the wire can resume: one choice of a completion or chat. */
    static boolean resumable(Exchange x) {
        return x.request != null && x.request.path("stream").asBoolean(false) && x.request.path("n").asInt(1) == 1
                && x.path.endsWith("/completions"); // /v1/completions and /v1/chat/completions
    }

    /** Whether the client itself asked for token ids (then they are relayed, not stripped). */
    static boolean clientAsked(Exchange x) {
        return x.request != null && x.request.path("return_token_ids").asBoolean(false);
    }

    /** The client's request asking for token ids. */
    static ObjectNode askingForTokenIds(JsonNode request) {
        ObjectNode body = request.deepCopy();
        body.put("return_token_ids", true);
        return body;
    }

    /** The client's request continuing after {@code ids}, still asking for token ids (a later drop resumes again). */
    static ObjectNode resumingAfter(JsonNode request, TokenIds ids) {
        ObjectNode body = request.deepCopy();
        body.put("return_token_ids", true);
        ObjectNode ext = body.has("sluice") && body.get("sluice").isObject()
                ? (ObjectNode) body.get("sluice") : body.putObject("sluice");
        ArrayNode list = ext.putArray("resume_token_ids");
        for (int i = 0; i < ids.size(); i++) {
            list.add(ids.get(i));
        }
        return body;
    }

    /** Whether a replica's answer confirms it continues after {@code expected} tokens (and is not a fresh run). */
    static boolean confirms(Upstream up, int expected) {
        return up.headers().firstValue(RESUMED_HEADER).map(v -> v.equals(Integer.toString(expected))).orElse(false);
    }


    /** The token ids of one stream so far: every chunk's ids, in order. */
    static final class TokenIds {
        private int[] ids = new int[64];
        private int size;
        /** False once a chunk came without ids: the stream cannot be resumed by the wire. */
        private boolean complete = true;

        int size() {
            return size;
        }

        int get(int i) {
            return ids[i];
        }

        boolean complete() {
            return complete;
        }

        void incomplete() {
            complete = false;
        }

        /** Adds the ids of one relayed chunk ({@code choices[0].token_ids}); a chunk without them spoils the list. */
        void addFrom(JsonNode chunk) {
            JsonNode list = chunk.path("choices").path(0).get("token_ids");
            if (list == null || !list.isArray()) {
                complete = false;
                return;
            }
            for (JsonNode id : list) {
                if (size == ids.length) {
                    ids = Arrays.copyOf(ids, size * 2);
                }
                ids[size++] = id.asInt();
            }
        }
    }

    /** Takes the token-id fields out of a chunk the client did not ask them for. */
    static void strip(ObjectNode chunk) {
        stripPromptIds(chunk);
        for (JsonNode choice : chunk.path("choices")) {
            if (choice instanceof ObjectNode c) {
                c.remove("token_ids");
            }
        }
    }

    /** Takes the prompt's ids out of a continuation's chunk: the client had them in the stream's first chunk. */
    static void stripPromptIds(ObjectNode chunk) {
        chunk.remove("prompt_token_ids");
        for (JsonNode choice : chunk.path("choices")) {
            if (choice instanceof ObjectNode c) {
                c.remove("prompt_token_ids");
            }
        }
    }

    /** A chat stream's opening chunk (the assistant role): a continuation's is dropped, the client has one. */
    static boolean isRoleChunk(JsonNode chunk) {
        return chunk.path("choices").path(0).path("delta").has("role");
    }
}
