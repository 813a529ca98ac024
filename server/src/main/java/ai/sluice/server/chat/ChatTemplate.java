package ai.sluice.server.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders a conversation into the prompt text a model was trained on, from the Hugging Face Jinja
 * template stored in the model file ({@code tokenizer.chat_template}), with Jinjava.
 *
 * <p>Hugging Face renders with Python's Jinja2 ({@code trim_blocks} and {@code lstrip_blocks} on),
 * where templates may call Python string methods such as {@code .strip()} or
 * {@code .startswith('x')}. Jinjava evaluates Java expressions instead, so those calls are
 * rewritten into equivalent filters before parsing (see {@link PythonMethods}).
 *
 * <p>Models without a template get {@link #FALLBACK}: plain "role: content" lines that end with
 * "assistant:" — readable by any base model, and clearly not a trained chat format.
 */
public final class ChatTemplate {

    /** Used when the model file carries no template. */
    public static final String FALLBACK = """
            {%- for message in messages -%}
            {{ message['role'] }}: {{ message['content'] }}
            {% endfor -%}
            {%- if add_generation_prompt -%}assistant:{%- endif -%}""";

    private static final int MAX_OUTPUT_CHARS = 4 << 20;

    private final String source;
    private final String rewritten;
    private final boolean fallback;
    private final String bosToken;
    private final String eosToken;
    private final Jinjava jinjava;

    private ChatTemplate(String source, boolean fallback, String bosToken, String eosToken) {
        this.source = source;
        this.fallback = fallback;
        this.rewritten = PythonMethods.rewrite(source);
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withFailOnUnknownTokens(false)
                .withMaxOutputSize(MAX_OUTPUT_CHARS)
                .build();
        this.jinjava = new Jinjava(config);
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
                "", "raise_exception", TemplateFunctions.class, "raiseException", String.class));
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
                "", "strftime_now", TemplateFunctions.class, "strftimeNow", String.class));
        PythonMethods.registerFilters(jinjava);
    }

    /** The model's own template, or the fallback when {@code template} is null or blank. */
    /** The variables {@link #render} binds itself; extra variables cannot replace them. */
    public static final Set<String> BOUND_VARIABLES =
            Set.of("messages", "add_generation_prompt", "bos_token", "eos_token", "tools");

    public static ChatTemplate of(String template, String bosToken, String eosToken) {
        boolean none = template == null || template.isBlank();
        return new ChatTemplate(none ? FALLBACK : template, none, bosToken, eosToken);
    }

    /** True when the model file had no template and {@link #FALLBACK} is used. */
    public boolean isFallback() {
        return fallback;
    }

    public String source() {
        return source;
    }

    /**
     * The prompt text for {@code messages}.
     *
     * @param addGenerationPrompt end with the header that starts the assistant's turn
     * @throws ChatTemplateException when the template fails or rejects the conversation
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, null);
    }

    /**
     * The prompt text for {@code messages} offering {@code tools} (Hugging Face's convention: the
     * template variable {@code tools} holds {@code [{"type": "function", "function": {...}}]}, or is
     * undefined/none without tools).
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, List<Map<String, Object>> tools) {
        return render(messages, addGenerationPrompt, tools, Map.of());
    }

    /**
     * As {@link #render(List, boolean, List)}, with {@code kwargs} as further template variables (vLLM's
     * {@code chat_template_kwargs}); none of them may be one of {@link #BOUND_VARIABLES}.
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, List<Map<String, Object>> tools,
                         Map<String, Object> kwargs) {
        for (String name : kwargs.keySet()) {
            if (BOUND_VARIABLES.contains(name)) {
                throw new IllegalArgumentException("template variable '" + name + "' is bound by the renderer");
            }
        }
        List<Map<String, Object>> msgs = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            msgs.add(m.asTemplateValue());
        }
        Map<String, Object> bindings = new HashMap<>(kwargs);
        bindings.put("messages", msgs);
        bindings.put("add_generation_prompt", addGenerationPrompt);
        bindings.put("bos_token", bosToken);
        bindings.put("eos_token", eosToken);
        bindings.put("tools", tools == null || tools.isEmpty() ? null : tools);
        RenderResult result;
        try {
            result = jinjava.renderForResult(rewritten, bindings);
        } catch (RuntimeException e) {
            throw new ChatTemplateException("chat template failed: " + rootMessage(e));
        }
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new ChatTemplateException("chat template failed: " + describe(error));
            }
        }
        return result.getOutput();
    }

    private static String describe(TemplateError error) {
        Throwable t = error.getException();
        while (t != null) {
            if (t instanceof ChatTemplateException cte) {
                return cte.getMessage();
            }
            t = t.getCause();
        }
        String msg = error.getMessage();
        Matcher m = RAISED.matcher(msg == null ? "" : msg);
        return m.find() ? m.group(1) : msg + (error.getLineno() > 0 ? " (line " + error.getLineno() + ")" : "");
    }

    private static final Pattern RAISED = Pattern.compile("ChatTemplateException: (.*)");

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            if (t instanceof ChatTemplateException) {
                break;
            }
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }
}
