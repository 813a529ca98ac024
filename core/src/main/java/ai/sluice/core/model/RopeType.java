package ai.sluice.core.model;

/** Which elements of a head RoPE rotates together. */
public enum RopeType {
    /** Adjacent pairs (x[2i], x[2i+1]): llama.cpp's LLAMA_ROPE_TYPE_NORM. */
    NORMAL,
    /** Halves (x[i], x[i + dims/2]): GPT-NeoX style, llama.cpp's LLAMA_ROPE_TYPE_NEOX. */
    NEOX
}
