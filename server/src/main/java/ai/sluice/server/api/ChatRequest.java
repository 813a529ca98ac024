package ai.sluice.server.api;

import ai.sluice.server.chat.ChatMessage;

import java.util.List;

/** A validated {@code POST /v1/chat/completions} body. */
public record ChatRequest(String model, List<ChatMessage> messages, boolean addGenerationPrompt,
                          SamplingOptions sampling, ToolRequest tools) {
}
