package ai.sluice.core.tensor;

import java.util.Locale;

/**
 * Which implementation multiplies Q8_0 and Q4_0 weights and runs attention over an F16 KV cache
 * ({@code --kernels}): the JDK Vector API ({@link Int8Kernel} and {@link JavaAttentionLoops}, the
 * portable path and the reference), the native library ({@link NativeInt8Kernel} and {@link
 * NativeAttentionLoops}), or native where it loads and else Java. Both give the same bits.
 */
public enum KernelChoice {
    AUTO, JAVA, NATIVE;

    /** {@code auto}, {@code java} or {@code native}, any case. */
    public static KernelChoice parse(String s) {
        try {
            return valueOf(s.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("kernels '" + s + "': expected auto, java or native");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
