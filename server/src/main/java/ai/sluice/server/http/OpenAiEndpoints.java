package ai.sluice.server.http;

import ai.sluice.server.ServerConfig;
import ai.sluice.server.api.ApiException;
import ai.sluice.server.api.ChatRequest;
import ai.sluice.server.api.CompletionRequest;
import ai.sluice.server.api.Json;
import ai.sluice.server.api.Models;
import ai.sluice.server.api.Prompt;
import ai.sluice.server.api.RequestParser;
import ai.sluice.server.api.SamplingOptions;
import ai.sluice.server.api.ServerVersion;
import ai.sluice.server.api.TokenIdOptions;
import ai.sluice.server.api.Tokenization;
import ai.sluice.server.api.ToolRequest;
import ai.sluice.server.tools.ToolCallFormat;
import ai.sluice.server.tools.ToolCallReader;
import ai.sluice.server.serving.ServedModel;
import ai.sluice.server.serving.TextCodec;
import ai.sluice.server.chat.ChatMessage;
import ai.sluice.server.chat.ChatTemplate;
import ai.sluice.server.generate.GenerationExchange;
import ai.sluice.server.generate.Outcome;
import ai.sluice.server.generate.ResponseFormats;
import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** The OpenAI-compatible endpoints and vLLM's tokenizer endpoints. */
final class OpenAiEndpoints {
    private final ServerConfig config;
    private final ServedModel servedModel;
    private final TextCodec codec;
    private final ChatTemplate template;
    private final RequestParser parser;
    private final GenerationExchange exchange;
    /** How the model writes tool calls, read from its chat template. */
    private final ToolCallFormat toolCallFormat;
    private final long created = System.currentTimeMillis() / 1000;

    OpenAiEndpoints(ServerConfig config, ServedModel servedModel, ChatTemplate template, GenerationExchange exchange) {
        this.config = config;
        this.servedModel = servedModel;
        this.codec = servedModel.codec();
        this.template = template;
        this.parser = new RequestParser(codec.vocabularySize(), config.generationDefaults());
        this.exchange = exchange;
        this.toolCallFormat = config.toolCallParser() != null ? ToolCallFormat.named(config.toolCallParser())
                : ToolCallFormat.detect(template.source());
    }

    void models(ServerRequest req, ServerResponse res) {
        HttpIo.json(res, 200, new Models.ModelList("list", List.of(model())));
    }

    void model(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        if (!config.servedModelName().equals(id)) {
            throw modelNotFound(id);
        }
        HttpIo.json(res, 200, model());
    }

    private Models.Model model() {
        return new Models.Model(config.servedModelName(), "model", created, "sluice", config.servedModelName(), null,
                servedModel.contextLength());
    }

    /** {@code GET /version}, as vLLM answers it. */
    void version(ServerRequest req, ServerResponse res) {
        HttpIo.json(res, 200, Map.of("version", ServerVersion.get()));
    }

    void completions(ServerRequest req, ServerResponse res, RequestInfo info, long arrival) {
        JsonNode body = Json.readObject(HttpIo.body(req, config.maxBodyBytes()));
        CompletionRequest r = parser.completion(body);
        TokenIdOptions ids = TokenIdOptions.parse(body, codec.vocabularySize());
        checkModel(r.model(), info);
        info.id = "cmpl-" + randomId();
        List<int[]> prompts = new ArrayList<>(r.prompts().size());
        for (Prompt p : r.prompts()) {
            prompts.add(switch (p) {
                case Prompt.Text t -> codec.encode(t.text(), true);
                case Prompt.Tokens t -> t.tokens();
            });
        }
        run(prompts, "prompt", r.sampling(), ids,
                ResponseFormats.completion(info.id, now(), config.servedModelName(), codec, ids.returnTokenIds()),
                res, info, arrival);
    }

    void chat(ServerRequest req, ServerResponse res, RequestInfo info, long arrival) {
        JsonNode body = Json.readObject(HttpIo.body(req, config.maxBodyBytes()));
        ChatRequest r = parser.chat(body);
        TokenIdOptions ids = TokenIdOptions.parse(body, codec.vocabularySize());
        checkModel(r.model(), info);
        info.id = "chatcmpl-" + randomId();
        ToolRequest tools = r.tools();
        int[] prompt = chatPrompt(r.messages(), r.addGenerationPrompt(), tools, r.templateKwargs());
        ToolCallReader calls = tools == null || !tools.readsCalls() ? null : new ToolCallReader(tools, toolCallFormat);
        run(List.of(prompt), "messages", r.sampling(), ids,
                ResponseFormats.chat(info.id, now(), config.servedModelName(), codec, ids.returnTokenIds(), calls),
                res, info, arrival);
    }

    void tokenize(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.readObject(HttpIo.body(req, config.maxBodyBytes()));
        int[] tokens;
        // vLLM's names, or llama-server's (content, add_special, with_pieces)
        String specialName = body.has("add_special") ? "add_special" : "add_special_tokens";
        JsonNode special = body.get(specialName);
        if (special != null && !special.isNull() && !special.isBoolean()) {
            throw ApiException.invalid(specialName, "'" + specialName + "' must be a boolean");
        }
        JsonNode pieces = body.get("with_pieces");
        if (pieces != null && !pieces.isNull() && !pieces.isBoolean()) {
            throw ApiException.invalid("with_pieces", "'with_pieces' must be a boolean");
        }
        if (body.hasNonNull("messages")) {
            ChatRequest r = parser.chat(body);
            tokens = chatPrompt(r.messages(), r.addGenerationPrompt(), r.tools(), r.templateKwargs());
        } else {
            String promptName = body.has("content") && !body.has("prompt") ? "content" : "prompt";
            JsonNode prompt = body.get(promptName);
            if (prompt == null || !prompt.isTextual()) {
                throw ApiException.invalid(promptName, "'prompt' (or 'content', a string) or 'messages' is required");
            }
            tokens = codec.encode(prompt.asText(), special == null || special.isNull() || special.asBoolean());
        }
        Object listed = tokens;
        if (pieces != null && pieces.asBoolean()) {
            List<Tokenization.Piece> withPieces = new ArrayList<>(tokens.length);
            for (int t : tokens) {
                withPieces.add(new Tokenization.Piece(t, codec.tokenText(t)));
            }
            listed = withPieces;
        }
        HttpIo.json(res, 200, new Tokenization.TokenizeResponse(tokens.length, servedModel.contextLength(), listed));
    }

    void detokenize(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.readObject(HttpIo.body(req, config.maxBodyBytes()));
        JsonNode tokens = body.get("tokens");
        if (tokens == null || !tokens.isArray()) {
            throw ApiException.invalid("tokens", "'tokens' (a list of token ids) is required");
        }
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode t = tokens.get(i);
            if (!t.isIntegralNumber() || t.asLong() < 0 || t.asLong() >= codec.vocabularySize()) {
                throw ApiException.invalid("tokens", "'tokens' must hold token ids in 0.." + (codec.vocabularySize() - 1)
                        + ", got " + t);
            }
            ids[i] = t.asInt();
        }
        HttpIo.json(res, 200, new Tokenization.DetokenizeResponse(codec.decode(ids)));
    }

    private int[] chatPrompt(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return chatPrompt(messages, addGenerationPrompt, null, Map.of());
    }

    private int[] chatPrompt(List<ChatMessage> messages, boolean addGenerationPrompt, ToolRequest tools,
                             Map<String, Object> templateKwargs) {
        String text = template.render(messages, addGenerationPrompt, tools == null ? null : tools.templateTools(),
                templateKwargs);
        // A model's own template writes BOS itself (as Hugging Face applies it); the fallback does not.
        return codec.encode(text, template.isFallback());
    }

    private void run(List<int[]> prompts, String promptParam, SamplingOptions s, TokenIdOptions ids,
                     ai.sluice.server.generate.ResponseFormat format, ServerResponse res, RequestInfo info,
                     long arrival) {
        if (ids.resumes() && prompts.size() * s.n() != 1) {
            throw ApiException.invalid(TokenIdOptions.RESUME_FIELD, "'" + TokenIdOptions.RESUME_FIELD
                    + "' continues one sequence: it needs n = 1 and a single prompt");
        }
        int context = servedModel.contextLength();
        List<GenerationExchange.Sequence> sequences = new ArrayList<>(prompts.size() * s.n());
        long total = 0;
        for (int[] prompt : prompts) {
            int len = prompt.length;
            if (len == 0) {
                throw ApiException.invalid(promptParam, "the prompt is empty");
            }
            if (len > config.maxPromptTokens() || len >= context) {
                throw ApiException.invalid(promptParam, "the prompt has " + len + " tokens; the limit is "
                        + Math.min(config.maxPromptTokens(), context - 1) + " (this server never truncates prompts)");
            }
            int maxTokens = context - len;
            if (s.maxTokens() != null) {
                long requested = (long) len + s.maxTokens(); // long: max_tokens may be up to 2^31 - 1
                if (requested > context) {
                    throw ApiException.invalid("max_tokens", "This model's maximum context length is " + context
                            + " tokens. However, you requested " + requested + " tokens (" + len
                            + " in the prompt, " + s.maxTokens() + " for the completion). Reduce the prompt or max_tokens.");
                }
                maxTokens = s.maxTokens();
            }
            for (int j = 0; j < s.n(); j++) {
                sequences.add(new GenerationExchange.Sequence(prompt, maxTokens, ids.resumeTokenIds()));
                total += len;
            }
        }
        info.promptTokens = (int) total;
        Outcome o = exchange.run(sequences, s, format, res, arrival);
        info.status = o.status();
        info.outputTokens = o.outputTokens();
        info.ttftNanos = o.ttftNanos();
        info.finishReason = o.finishReason();
        if (o.error() != null) {
            info.error = o.error();
        }
    }

    private void checkModel(String requested, RequestInfo info) {
        info.model = config.servedModelName();
        if (requested != null && !requested.equals(config.servedModelName())) {
            throw modelNotFound(requested);
        }
    }

    private static ApiException modelNotFound(String id) {
        return new ApiException(404, "invalid_request_error", "model", "model_not_found",
                "The model '" + id + "' does not exist.");
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }

    private static String randomId() {
        byte[] b = new byte[12];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
