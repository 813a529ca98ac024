/**
 * Tool calls: the tools a chat request offers, how the model's text is read back as OpenAI
 * {@code tool_calls} (Hermes/Qwen {@code <tool_call>} JSON, Llama 3.x JSON, Mistral
 * {@code [TOOL_CALLS]}), and the constrained forms {@code tool_choice} "required" and a named function
 * use so the call always parses and matches the function's parameter schema.
 */
package ai.sluice.server.tools;
