package ai.sluice.core.tensor;

/**
 * Activations held by a {@link Backend}: a flat row-major array of floats in the backend's memory
 * (a heap array on the CPU, device memory on an accelerator), made by {@link Backend#allocate} and
 * passed only back to the backend that made it. The host reads and writes one only through
 * {@link Backend#read} and {@link Backend#write}; a backend refuses another's buffer.
 */
public interface Buffer {

    /** Floats the buffer holds. */
    int length();

    /** The backend that made it, for messages ({@code cpu}, {@code cuda:0}). */
    String backend();
}
