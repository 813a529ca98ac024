package ai.sluice.core.format;

import ai.sluice.core.gguf.GgmlType;

/** A tensor type that Sluice cannot convert (yet): the message names it and says what works. */
public final class UnsupportedTypeException extends IllegalArgumentException {
    public UnsupportedTypeException(GgmlType type) {
        super("tensor type " + type + " is not supported here; supported: F32, F16, BF16, Q8_0, Q4_0");
    }
}
