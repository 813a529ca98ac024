package ai.sluice.core.gguf;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The key-value metadata of a GGUF file, in file order, with typed getters. A required key that is
 * absent or of the wrong type is a {@link GgufFormatException} that names the key.
 */
public final class GgufMetadata {
    private final Map<String, GgufValue> values;

    public GgufMetadata(Map<String, GgufValue> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** All entries, in file order. */
    public Map<String, GgufValue> asMap() {
        return values;
    }

    public Set<String> keys() {
        return values.keySet();
    }

    public boolean contains(String key) {
        return values.containsKey(key);
    }

    public Optional<GgufValue> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public String getString(String key) {
        return cast(key, String.class, "a string");
    }

    public Optional<String> findString(String key) {
        return values.containsKey(key) ? Optional.of(getString(key)) : Optional.empty();
    }

    /** Any integer type, checked to fit an int. */
    public int getInt(String key) {
        long v = getLong(key);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new GgufFormatException("metadata key '" + key + "' = " + v + " does not fit an int");
        }
        return (int) v;
    }

    public int getInt(String key, int defaultValue) {
        return values.containsKey(key) ? getInt(key) : defaultValue;
    }

    /** Any integer type. */
    public long getLong(String key) {
        Object v = require(key).value();
        if (v instanceof Integer i) {
            return i;
        }
        if (v instanceof Long l) {
            return l;
        }
        throw wrongType(key, "an integer");
    }

    /** FLOAT32 or FLOAT64 (integers are accepted too, as some converters write them). */
    public float getFloat(String key) {
        Object v = require(key).value();
        if (v instanceof Number n && !(v instanceof Byte)) {
            return n.floatValue();
        }
        throw wrongType(key, "a number");
    }

    public float getFloat(String key, float defaultValue) {
        return values.containsKey(key) ? getFloat(key) : defaultValue;
    }

    public boolean getBool(String key, boolean defaultValue) {
        return values.containsKey(key) ? cast(key, Boolean.class, "a bool") : defaultValue;
    }

    public String[] getStringArray(String key) {
        return cast(key, String[].class, "an array of strings");
    }

    public float[] getFloatArray(String key) {
        return cast(key, float[].class, "an array of float32");
    }

    /** An array of any 32-bit integer type (INT32 or UINT32). */
    public int[] getIntArray(String key) {
        return cast(key, int[].class, "an array of 32-bit integers");
    }

    private GgufValue require(String key) {
        GgufValue v = values.get(key);
        if (v == null) {
            throw new GgufFormatException("missing metadata key '" + key + "'");
        }
        return v;
    }

    private <T> T cast(String key, Class<T> type, String what) {
        Object v = require(key).value();
        if (!type.isInstance(v)) {
            throw wrongType(key, what);
        }
        return type.cast(v);
    }

    private GgufFormatException wrongType(String key, String what) {
        GgufValue v = values.get(key);
        String actual = v.type() == GgufValueType.ARRAY ? "array of " + v.elementType() : v.type().name();
        return new GgufFormatException("metadata key '" + key + "' should be " + what + " but is " + actual);
    }
}
