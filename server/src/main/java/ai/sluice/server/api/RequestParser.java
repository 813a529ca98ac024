package ai.sluice.server.api;

import ai.sluice.server.chat.ChatMessage;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns request JSON into validated requests. Unknown fields are ignored; a known field with a wrong
 * type or value is a 400 naming it; a known feature we do not implement is a 400 rather than being
 * silently ignored (a client asking for {@code echo} or tools must not get a different answer).
 */
public final class RequestParser {
    /** Upper bound on {@code n}: each choice is a sequence in the engine. */
    public static final int MAX_N = 16;
    public static final int MAX_LOGPROBS = 20;
    /** OpenAI's and vLLM's {@code max_tokens} for a completion that names none (chat runs to the context). */
    public static final int DEFAULT_COMPLETION_TOKENS = 16;
    private static final int MAX_STOP = 16;
    /**
     * Longest stop string. The stop matcher holds back as many characters of output as the longest
     * stop string has, so a huge one would silently turn a stream into one chunk at the end.
     */
    private static final int MAX_STOP_CHARS = 1024;
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

    private final int vocabularySize;
    private final GenerationDefaults defaults;

    public RequestParser(int vocabularySize) {
        this(vocabularySize, GenerationDefaults.OPENAI);
    }

    /** @param defaults what a request that leaves a sampling field out gets */
    public RequestParser(int vocabularySize, GenerationDefaults defaults) {
        this.vocabularySize = vocabularySize;
        this.defaults = defaults;
    }

    public CompletionRequest completion(JsonNode body) {
        Params p = new Params(body);
        String model = p.string("model");
        List<Prompt> prompts = prompts(p.node("prompt"));
        if (p.bool("echo", false)) {
            throw ApiException.invalid("echo", "'echo' is not supported");
        }
        if (p.string("suffix") != null) {
            throw ApiException.invalid("suffix", "'suffix' is not supported");
        }
        UnsupportedParams.checkCompletion(p);
        Integer bestOf = p.integer("best_of", 1, MAX_N);
        Integer logprobs = p.integer("logprobs", 0, MAX_LOGPROBS);
        SamplingOptions s = sampling(p, p.integer("max_tokens", 1, Integer.MAX_VALUE,
                        defaults.maxTokens() != null ? defaults.maxTokens() : DEFAULT_COMPLETION_TOKENS),
                logprobs == null ? -1 : logprobs, null);
        if (bestOf != null && bestOf != s.n()) {
            throw ApiException.invalid("best_of", "'best_of' other than n is not supported");
        }
        return new CompletionRequest(model, prompts, s);
    }

    public ChatRequest chat(JsonNode body) {
        Params p = new Params(body);
        String model = p.string("model");
        List<ChatMessage> messages = messages(p.node("messages"));
        UnsupportedParams.checkChat(p);
        ToolRequest tools = ToolRequestParser.parse(p); // null when none are offered
        boolean logprobs = p.bool("logprobs", false);
        Integer top = p.integer("top_logprobs", 0, MAX_LOGPROBS);
        if (top != null && !logprobs) {
            throw ApiException.invalid("top_logprobs", "'top_logprobs' requires 'logprobs' to be true");
        }
        Integer maxTokens = p.integer("max_completion_tokens", 1, Integer.MAX_VALUE);
        if (maxTokens == null) {
            maxTokens = p.integer("max_tokens", 1, Integer.MAX_VALUE);
        }
        if (maxTokens == null) {
            maxTokens = defaults.maxTokens();
        }
        SamplingOptions s = sampling(p, maxTokens, logprobs ? (top == null ? 0 : top) : -1,
                tools == null ? null : tools.forcedOutput());
        boolean addGenerationPrompt = p.bool("add_generation_prompt", true);
        return new ChatRequest(model, messages, addGenerationPrompt, s, tools,
                ChatTemplateKwargs.parse(p.node(ChatTemplateKwargs.FIELD)));
    }

    /** @param forced the output tool_choice "required" or a named function forces, or null */
    private SamplingOptions sampling(Params p, Integer maxTokens, int topLogprobs, OutputSpec forced) {
        float temperature = p.number("temperature", 0, false, 2, defaults.temperature());
        float topP = p.number("top_p", 0, true, 1, defaults.topP());
        int topK = p.integer("top_k", -1, Integer.MAX_VALUE, defaults.topK());
        float minP = p.number("min_p", 0, false, 1, defaults.minP());
        float presence = p.number("presence_penalty", -2, false, 2, defaults.presencePenalty());
        float frequency = p.number("frequency_penalty", -2, false, 2, defaults.frequencyPenalty());
        float repetition = p.number("repetition_penalty", 0, true, 10, defaults.repetitionPenalty());
        List<String> stop = p.stringOrList("stop", MAX_STOP, MAX_STOP_CHARS);
        int[] stopIds = p.intList("stop_token_ids", 0, vocabularySize - 1);
        Long seed = p.longValue("seed");
        if (seed == null) {
            seed = defaults.seed();
        }
        int n = p.integer("n", 1, MAX_N, 1);
        boolean stream = p.bool("stream", false);
        boolean includeUsage = false;
        JsonNode opts = p.node("stream_options");
        if (opts != null && !opts.isNull()) {
            if (!stream) {
                throw ApiException.invalid("stream_options", "'stream_options' is only allowed when 'stream' is true");
            }
            if (!opts.isObject()) {
                throw ApiException.invalid("stream_options", "'stream_options' must be an object, got " + Params.describe(opts));
            }
            includeUsage = new Params(opts).bool("include_usage", false);
        }
        OutputSpec output = OutputSpecParser.parse(p::node); // response_format, structured_outputs, guided_*, ...
        if (forced != null) {
            if (output != null) {
                throw ApiException.invalid(output.field(), "'" + output.field() + "' cannot be combined with a"
                        + " tool_choice that forces a call");
            }
            output = forced;
        }
        Map<Integer, Float> logitBias = logitBias(p.node("logit_bias"));
        String user = p.string("user");
        boolean ignoreEos = p.bool("ignore_eos", false);
        int minTokens = minTokens(p, maxTokens);
        return new SamplingOptions(maxTokens, temperature, topP, topK, minP, presence, frequency, repetition,
                stop, stopIds, seed, n, topLogprobs, stream, includeUsage, user, ignoreEos, logitBias, output,
                minTokens, p.integer("priority", Integer.MIN_VALUE, Integer.MAX_VALUE, 0));
    }

    /** vLLM's {@code min_tokens}: 0..max_tokens (the request's, or the default it gets). */
    private static int minTokens(Params p, Integer maxTokens) {
        int min = p.integer("min_tokens", 0, Integer.MAX_VALUE, 0);
        if (maxTokens != null && min > maxTokens) {
            throw ApiException.invalid("min_tokens", "'min_tokens' must be at most max_tokens (" + maxTokens
                    + (p.has("max_tokens") || p.has("max_completion_tokens") ? "" : ", the default") + "), got " + min);
        }
        return min;
    }

    /** OpenAI's {@code logit_bias}: an object from token ids (as strings) to numbers in [-100, 100]. */
    private Map<Integer, Float> logitBias(JsonNode bias) {
        if (bias == null || bias.isNull()) {
            return Map.of();
        }
        if (!bias.isObject()) {
            throw ApiException.invalid("logit_bias", "'logit_bias' must be an object from token ids to numbers, got "
                    + Params.describe(bias));
        }
        Map<Integer, Float> out = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : bias.properties()) {
            int id;
            try {
                id = Integer.parseInt(e.getKey().trim());
            } catch (NumberFormatException ex) {
                throw ApiException.invalid("logit_bias", "'logit_bias' keys must be token ids, got '" + e.getKey() + "'");
            }
            if (id < 0 || id >= vocabularySize) {
                throw ApiException.invalid("logit_bias", "'logit_bias' holds token id " + id + ", outside 0.."
                        + (vocabularySize - 1));
            }
            JsonNode v = e.getValue();
            if (!v.isNumber() || !(v.asDouble() >= -100 && v.asDouble() <= 100)) {
                throw ApiException.invalid("logit_bias", "'logit_bias' values must be numbers in [-100, 100], got "
                        + v + " for token " + id);
            }
            out.put(id, (float) v.asDouble());
        }
        return out;
    }

    /** {@code prompt}: a string, a list of strings, a list of token ids, or a list of such lists. */
    private List<Prompt> prompts(JsonNode n) {
        if (n == null || n.isNull()) {
            throw ApiException.invalid("prompt", "'prompt' is required");
        }
        if (n.isTextual()) {
            return List.of(new Prompt.Text(n.asText()));
        }
        if (!n.isArray() || n.isEmpty()) {
            throw ApiException.invalid("prompt", "'prompt' must be a string, a list of strings, a list of token ids"
                    + " or a list of such lists");
        }
        if (n.get(0).isIntegralNumber()) {
            return List.of(new Prompt.Tokens(Params.ints("prompt", n, 0, vocabularySize - 1)));
        }
        if (n.size() > MAX_N) {
            throw ApiException.invalid("prompt", "at most " + MAX_N + " prompts per request, got " + n.size());
        }
        List<Prompt> out = new ArrayList<>(n.size());
        for (JsonNode item : n) {
            if (item.isTextual()) {
                out.add(new Prompt.Text(item.asText()));
            } else if (item.isArray() && !item.isEmpty()) {
                out.add(new Prompt.Tokens(Params.ints("prompt", item, 0, vocabularySize - 1)));
            } else {
                throw ApiException.invalid("prompt", "'prompt' lists must hold strings or non-empty lists of token ids,"
                        + " got " + Params.describe(item));
            }
        }
        return out;
    }

    private static List<ChatMessage> messages(JsonNode n) {
        if (n == null || n.isNull()) {
            throw ApiException.invalid("messages", "'messages' is required");
        }
        if (!n.isArray() || n.isEmpty()) {
            throw ApiException.invalid("messages", "'messages' must be a non-empty list of messages");
        }
        List<ChatMessage> out = new ArrayList<>(n.size());
        for (int i = 0; i < n.size(); i++) {
            JsonNode m = n.get(i);
            String at = "messages[" + i + "]";
            if (!m.isObject()) {
                throw ApiException.invalid(at, "'" + at + "' must be an object, got " + Params.describe(m));
            }
            JsonNode role = m.get("role");
            if (role == null || !role.isTextual() || !ROLES.contains(role.asText())) {
                throw ApiException.invalid(at + ".role", "'" + at + ".role' must be one of " + ROLES.stream().sorted().toList());
            }
            String r = role.asText().equals("developer") ? "system" : role.asText();
            JsonNode content = m.get("content");
            // only an assistant turn may come without content (OpenAI: one that made tool calls)
            if (!r.equals("assistant") && (content == null || content.isNull())) {
                throw ApiException.invalid(at + ".content", "'" + at + ".content' is required for a " + role.asText()
                        + " message");
            }
            JsonNode name = m.get("name");
            out.add(new ChatMessage(r, content(content, at + ".content"),
                    name != null && name.isTextual() ? name.asText() : null,
                    r.equals("assistant") ? ToolRequestParser.templateCalls(m.get("tool_calls"), at + ".tool_calls") : null,
                    r.equals("tool") ? ToolRequestParser.toolCallId(m.get("tool_call_id"), at + ".tool_call_id") : null));
        }
        return out;
    }

    /** A string, or a list of parts of which only {@code {"type":"text","text":...}} is supported. */
    private static String content(JsonNode c, String at) {
        if (c == null || c.isNull()) {
            return "";
        }
        if (c.isTextual()) {
            return c.asText();
        }
        if (!c.isArray()) {
            throw ApiException.invalid(at, "'" + at + "' must be a string or a list of content parts");
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : c) {
            if (!part.isObject() || !"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                throw ApiException.invalid(at, "'" + at + "' may hold only text parts ({\"type\":\"text\",\"text\":...})");
            }
            if (!text.isEmpty()) {
                text.append('\n'); // as vLLM joins text parts
            }
            text.append(part.get("text").asText());
        }
        return text.toString();
    }
}
