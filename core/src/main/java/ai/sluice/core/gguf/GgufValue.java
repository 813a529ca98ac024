package ai.sluice.core.gguf;

import java.util.Arrays;
import java.util.Objects;

/**
 * One metadata value with its GGUF type, so that a file can be rewritten without changing types.
 *
 * <p>Scalars are held as boxed Java values: unsigned 8/16-bit and signed up to 32-bit integers as
 * {@link Integer}, UINT32 and the 64-bit integers as {@link Long}, FLOAT32 as {@link Float},
 * FLOAT64 as {@link Double}, BOOL as {@link Boolean}, STRING as {@link String}. Arrays are held as
 * primitive arrays (large vocabularies stay compact): {@code byte[]} for (U)INT8, {@code short[]}
 * for (U)INT16, {@code int[]} for (U)INT32, {@code long[]} for (U)INT64, {@code float[]},
 * {@code double[]}, {@code boolean[]}, {@code String[]}, and {@code GgufValue[]} for arrays of arrays.
 *
 * @param type the value's type
 * @param elementType the element type when {@code type} is ARRAY, else null
 * @param value the value, as described above
 */
public record GgufValue(GgufValueType type, GgufValueType elementType, Object value) {

    public GgufValue {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        if ((type == GgufValueType.ARRAY) != (elementType != null)) {
            throw new IllegalArgumentException("elementType must be set exactly for arrays");
        }
    }

    public static GgufValue ofString(String s) {
        return new GgufValue(GgufValueType.STRING, null, s);
    }

    public static GgufValue ofUInt32(long v) {
        return new GgufValue(GgufValueType.UINT32, null, v);
    }

    public static GgufValue ofInt32(int v) {
        return new GgufValue(GgufValueType.INT32, null, v);
    }

    public static GgufValue ofFloat32(float v) {
        return new GgufValue(GgufValueType.FLOAT32, null, v);
    }

    public static GgufValue ofBool(boolean v) {
        return new GgufValue(GgufValueType.BOOL, null, v);
    }

    public static GgufValue ofStrings(String[] v) {
        return new GgufValue(GgufValueType.ARRAY, GgufValueType.STRING, v);
    }

    public static GgufValue ofFloats(float[] v) {
        return new GgufValue(GgufValueType.ARRAY, GgufValueType.FLOAT32, v);
    }

    public static GgufValue ofInts(int[] v) {
        return new GgufValue(GgufValueType.ARRAY, GgufValueType.INT32, v);
    }

    /** Number of elements of an array value. */
    public int arrayLength() {
        return switch (value) {
            case byte[] a -> a.length;
            case short[] a -> a.length;
            case int[] a -> a.length;
            case long[] a -> a.length;
            case float[] a -> a.length;
            case double[] a -> a.length;
            case boolean[] a -> a.length;
            case Object[] a -> a.length;
            default -> throw new IllegalStateException("not an array: " + type);
        };
    }

    /** A short human-readable form; long arrays are summarised. */
    @Override
    public String toString() {
        if (type != GgufValueType.ARRAY) {
            return String.valueOf(value);
        }
        int n = arrayLength();
        if (n > 8) {
            return "[" + elementType + " x " + n + "]";
        }
        return switch (value) {
            case byte[] a -> Arrays.toString(a);
            case short[] a -> Arrays.toString(a);
            case int[] a -> Arrays.toString(a);
            case long[] a -> Arrays.toString(a);
            case float[] a -> Arrays.toString(a);
            case double[] a -> Arrays.toString(a);
            case boolean[] a -> Arrays.toString(a);
            case Object[] a -> Arrays.toString(a);
            default -> String.valueOf(value);
        };
    }
}
