package ai.sluice.bench;

/**
 * The two shapes of {@code POST /tokenize} in the wild. vLLM (and Sluice) take {@code {"model", "prompt"}} and
 * answer {@code {"count", "tokens"}}; llama.cpp's llama-server takes {@code {"content", "add_special"}} and answers
 * {@code {"tokens": [...]}} only; asked in vLLM's form it answers 200 with an empty list, which is why a probe must
 * see a non-empty answer before trusting a form.
 */
public enum TokenizeForm {
    /** {@code {"model": M, "prompt": TEXT}}: vLLM's form, special tokens (BOS) added by default as in a completion. */
    VLLM("vLLM form, \"prompt\""),
    /**
     * {@code {"content": TEXT, "add_special": true}}: llama-server's form. Its default is no BOS, but a completion
     * gets one, so bench asks for it to count what the server will process.
     */
    LLAMA_SERVER("llama-server form, \"content\"");

    private final String description;

    TokenizeForm(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
