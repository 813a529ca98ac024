package ai.sluice.core.tensor;


/**
 * A KV cache's storage as a {@link Backend} holds it, made by {@link Backend#allocateKv}: per layer,
 * {@code slots} K rows of {@code keyDim} and V rows of {@code valueDim} elements of {@link #type()}.
 * Which slot holds which position of which sequence is decided outside (the engine's block
 * tables, through each row's {@code SlotMapping}); the backend writes and attends over it.
 */
public interface KvStore extends AutoCloseable {

    int layers();

    int slots();

    int keyDim();

    int valueDim();

    KvType type();

    /** Bytes held for all layers, K and V. */
    long byteSize();

    /** Frees the storage; it must not be used afterwards. */
    @Override
    void close();
}
