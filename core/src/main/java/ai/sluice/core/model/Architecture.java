package ai.sluice.core.model;

/** The transformer graphs Sluice runs; each GGUF {@code general.architecture} maps onto one. */
public enum Architecture {
    /** Llama 1/2/3 and Mistral: RMSNorm, normal (adjacent-pair) RoPE, GQA, SwiGLU. */
    LLAMA(RopeType.NORMAL, false, false),
    /** Qwen2: as Llama with biases on Q, K and V and NeoX (half-split) RoPE. */
    QWEN2(RopeType.NEOX, true, false),
    /** Qwen3: as Llama with per-head RMSNorm of Q and K before RoPE, NeoX RoPE, no biases. */
    QWEN3(RopeType.NEOX, false, true);

    private final RopeType ropeType;
    private final boolean qkvBias;
    private final boolean qkNorm;

    Architecture(RopeType ropeType, boolean qkvBias, boolean qkNorm) {
        this.ropeType = ropeType;
        this.qkvBias = qkvBias;
        this.qkNorm = qkNorm;
    }

    /** The graph for a {@code general.architecture} value; anything unknown is an {@link UnsupportedModelException}. */
    public static Architecture fromGguf(String name) {
        return switch (name) {
            case "llama", "mistral" -> LLAMA;
            case "qwen2" -> QWEN2;
            case "qwen3" -> QWEN3;
            default -> throw new UnsupportedModelException("architecture '" + name
                    + "' is not supported (supported: llama, mistral, qwen2, qwen3)");
        };
    }

    public RopeType ropeType() {
        return ropeType;
    }

    public boolean hasQkvBias() {
        return qkvBias;
    }

    public boolean hasQkNorm() {
        return qkNorm;
    }
}
