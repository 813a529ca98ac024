/**
 * Structured output on the API: reads the request fields OpenAI, vLLM and llama.cpp clients send
 * ({@code response_format}, {@code structured_outputs}, {@code guided_*}, {@code json_schema},
 * {@code grammar}), compiles them with the {@code grammar} module against the served vocabulary, and
 * hands the engine a {@link ai.sluice.engine.TokenConstraint}.
 */
package ai.sluice.server.structured;
