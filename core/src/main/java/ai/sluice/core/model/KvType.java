package ai.sluice.core.model;

/** Element type of the KV pool. */
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
