package ai.sluice.core.tensor;

/**
 * Element type of Sluice's KV cache, the one KV type of the runtime (engine, model, CLI flags). The
 * planner's {@code KvPrecision} also covers caches of other servers (fp8, q8_0) and maps this one.
 */
public enum KvType {
    F32(4),
    /** Half precision: half the memory; K and V are rounded to f16 when written. */
    F16(2);

    private final int bytes;

    KvType(int bytes) {
        this.bytes = bytes;
    }

    public int bytesPerElement() {
        return bytes;
    }
}
