package ai.sluice.engine;

/** Element type of the paged KV cache. */
public enum KvCacheType {
    /** Full precision: 4 bytes per element, bit-identical to an unpaged F32 cache. */
    F32(4),
    /** Half precision: half the memory (twice the sequences); K and V are rounded when written. */
    F16(2);

    private final int bytesPerElement;

    KvCacheType(int bytesPerElement) {
        this.bytesPerElement = bytesPerElement;
    }

    public int bytesPerElement() {
        return bytesPerElement;
    }
}
