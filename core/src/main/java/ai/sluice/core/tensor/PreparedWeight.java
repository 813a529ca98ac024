package ai.sluice.core.tensor;

/**
 * A weight matrix as a {@link Backend} holds it for its products, made once at load by
 * {@link Backend#prepare}: on the CPU the memory-mapped {@link WeightMatrix} itself; an accelerator
 * uploads (and may repack) the bytes. Passed only back to the backend that prepared it.
 */
public interface PreparedWeight {

    /** The tensor's name in the model file, for messages. */
    String name();

    /** Output elements (one per row). */
    int rows();

    /** Input elements. */
    int cols();
}
