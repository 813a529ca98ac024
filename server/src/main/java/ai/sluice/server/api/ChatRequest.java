package ai.sluice.server.api;

import ai.sluice.server.chat.ChatMessage;

import java.util.List;
import java.util.Map;

/**
 * A validated {@code POST /v1/chat/completions} body.
 *
 * @param templateKwargs vLLM's {@code chat_template_kwargs}: extra variables for the chat template
 *                       (e.g. Qwen3's {@code enable_thinking}); empty when none were sent
 */
public record ChatRequest(String model, List<ChatMessage> messages, boolean addGenerationPrompt,
                          SamplingOptions sampling, ToolRequest tools, Map<String, Object> templateKwargs) {
}
