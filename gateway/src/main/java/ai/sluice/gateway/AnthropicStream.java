package ai.sluice.gateway;

import ai.sluice.wire.OpenAiError;
import ai.sluice.wire.Sse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A Messages API event stream read as an OpenAI chat completion stream: {@code message_start} becomes the first
 * chunk (the assistant role), each {@code text_delta} a content chunk, {@code message_delta} the chunk with the
 * finish reason, {@code message_stop} a usage chunk (choices empty) and {@code [DONE]}; {@code ping} a
 * {@code : ping} comment; an {@code error} event an OpenAI error event and {@code [DONE]}. Pieces come out as
 * events are complete, so the relay sees a stream like any replica's.
 */
final class AnthropicStream implements BodySource {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BodySource upstream;
    private final String model;
    private final EventSplitter events = new EventSplitter();
    private final long created = System.currentTimeMillis() / 1000;
    private String id = "msg";
    private long inputTokens;
    private long outputTokens;
    private boolean ended;

    AnthropicStream(BodySource upstream, String ourModel) {
        this.upstream = upstream;
        this.model = ourModel;
    }

    @Override
    public byte[] next(Duration stall) throws IOException {
        while (!ended) {
            byte[] piece = upstream.next(stall);
            if (piece == null) {
                return null; // ended without message_stop: the relay treats it as a dropped stream
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (EventSplitter.Event e : events.feed(piece)) {
                if (e.data() != null) {
                    translate(JSON.readTree(e.data()), out);
                }
            }
            if (out.size() > 0) {
                return out.toByteArray();
            }
        }
        return null;
    }

    private void translate(JsonNode event, ByteArrayOutputStream out) {
        switch (event.path("type").asText()) {
            case "message_start" -> {
                JsonNode m = event.path("message");
                id = m.path("id").asText(id);
                inputTokens = m.path("usage").path("input_tokens").asLong();
                outputTokens = m.path("usage").path("output_tokens").asLong();
                ObjectNode c = chunk();
                c.putArray("choices").addObject().put("index", 0).putNull("finish_reason")
                        .putObject("delta").put("role", "assistant").put("content", "");
                out.writeBytes(Sse.event(c.toString()));
            }
            case "content_block_delta" -> {
                JsonNode d = event.path("delta");
                if ("text_delta".equals(d.path("type").asText())) {
                    ObjectNode c = chunk();
                    c.putArray("choices").addObject().put("index", 0).putNull("finish_reason")
                            .putObject("delta").put("content", d.path("text").asText());
                    out.writeBytes(Sse.event(c.toString()));
                }
            }
            case "message_delta" -> {
                if (event.path("usage").has("output_tokens")) {
                    outputTokens = event.path("usage").path("output_tokens").asLong(); // the running total
                }
                String finish = AnthropicMessages.finishReason(event.path("delta").path("stop_reason").asText(null));
                if (finish != null) {
                    ObjectNode c = chunk();
                    c.putArray("choices").addObject().put("index", 0).put("finish_reason", finish).putObject("delta");
                    out.writeBytes(Sse.event(c.toString()));
                }
            }
            case "message_stop" -> {
                ObjectNode c = chunk();
                c.putArray("choices");
                AnthropicMessages.usage(c, inputTokens, outputTokens);
                out.writeBytes(Sse.event(c.toString()));
                out.writeBytes(Sse.done());
                ended = true;
            }
            case "ping" -> out.writeBytes(": ping\n\n".getBytes(StandardCharsets.UTF_8));
            case "error" -> {
                JsonNode e = event.path("error");
                out.writeBytes(OpenAiError.of(e.path("type").asText("api_error"), "provider_error",
                        "the Anthropic provider ended the stream: " + e.path("message").asText()).toSseEvent());
                out.writeBytes(Sse.done());
                ended = true;
            }
            default -> {
                // content_block_start/stop carry nothing a text stream needs
            }
        }
    }

    private ObjectNode chunk() {
        ObjectNode c = JSON.createObjectNode();
        c.put("id", id);
        c.put("object", "chat.completion.chunk");
        c.put("created", created);
        c.put("model", model);
        return c;
    }

    @Override
    public void cancel() {
        upstream.cancel();
    }
}
