package ai.sluice.core.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses GGUF v2 and v3 files (little-endian).
 *
 * <p>Layout: magic "GGUF", u32 version, u64 tensor count, u64 metadata count, the metadata
 * key-values, the tensor infos (name, u32 rank, u64 dims, u32 type, u64 offset), padding to
 * {@code general.alignment} (default 32), then the tensor data. Every read is bounds-checked against
 * the mapped file, so a truncated or corrupted file is a {@link GgufFormatException} naming what is
 * wrong and where, never an out-of-bounds error or a JVM crash.
 */
final class GgufReader {
    static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
    static final long DEFAULT_ALIGNMENT = 32;
    private static final int MAX_DIMS = 4;
    private static final int MAX_ARRAY_NESTING = 8;
    private static final int MAX_QUOTED = 80;

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment file;
    private long pos;

    private GgufReader(MemorySegment file) {
        this.file = file;
    }

    static GgufFile open(Path path) {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment mapping;
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                mapping = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            } catch (NoSuchFileException e) {
                throw new GgufFormatException("no such file: " + path);
            } catch (IOException e) {
                throw new GgufFormatException("cannot read " + path + ": " + e.getMessage(), e);
            }
            return new GgufReader(mapping).parse(path, arena);
        } catch (RuntimeException e) {
            arena.close();
            if (e instanceof GgufFormatException g) {
                throw g.getMessage().contains(path.getFileName().toString())
                        ? g : new GgufFormatException(path.getFileName() + ": " + g.getMessage(), g.getCause());
            }
            // Any other failure while parsing is still a bad file, reported as one line.
            throw new GgufFormatException(path.getFileName() + ": unreadable GGUF (" + e + ")", e);
        }
    }

    private GgufFile parse(Path path, Arena arena) {
        if (file.byteSize() < 4) {
            throw new GgufFormatException("truncated: " + file.byteSize() + " bytes is too short for a GGUF header");
        }
        int magic = u32("magic");
        if (magic != MAGIC) {
            throw new GgufFormatException(String.format("bad magic 0x%08x: not a GGUF file", magic));
        }
        int version = u32("version");
        if (version == 1) {
            throw new GgufFormatException("unsupported GGUF version 1 (re-convert the model with a current llama.cpp)");
        }
        if (version != 2 && version != 3) {
            if (Integer.reverseBytes(version) == 2 || Integer.reverseBytes(version) == 3) {
                throw new GgufFormatException("big-endian GGUF files are not supported");
            }
            throw new GgufFormatException("unsupported GGUF version " + Integer.toUnsignedString(version));
        }
        long tensorCount = u64("tensor count");
        long kvCount = u64("metadata count");
        // Every metadata entry and tensor info takes at least 8+4 bytes: a cheap sanity bound.
        long remaining = file.byteSize() - pos;
        if (tensorCount < 0 || tensorCount > remaining / 12) {
            throw new GgufFormatException("truncated or corrupt header: tensor count "
                    + Long.toUnsignedString(tensorCount) + " cannot fit in " + file.byteSize() + " bytes");
        }
        if (kvCount < 0 || kvCount > remaining / 12) {
            throw new GgufFormatException("truncated or corrupt header: metadata count "
                    + Long.toUnsignedString(kvCount) + " cannot fit in " + file.byteSize() + " bytes");
        }

        Map<String, GgufValue> kv = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            long at = pos;
            String key = string("metadata key #" + i);
            String shown = quote(key);
            int typeId = u32("type of " + shown);
            GgufValueType type = GgufValueType.byId(typeId);
            if (type == null) {
                throw new GgufFormatException("unknown metadata value type " + typeId + " for key " + shown
                        + " at offset " + at);
            }
            if (kv.put(key, value(type, shown, 0)) != null) {
                throw new GgufFormatException("duplicate metadata key " + shown);
            }
        }
        GgufMetadata metadata = new GgufMetadata(kv);

        long alignment = DEFAULT_ALIGNMENT;
        if (metadata.contains("general.alignment")) {
            alignment = metadata.getLong("general.alignment");
            if (alignment <= 0 || Long.bitCount(alignment) != 1) {
                throw new GgufFormatException("general.alignment must be a power of two, got " + alignment);
            }
        }

        List<GgufTensorInfo> tensors = new ArrayList<>((int) tensorCount);
        Set<String> names = new HashSet<>();
        for (long i = 0; i < tensorCount; i++) {
            GgufTensorInfo t = tensorInfo(i);
            if (!names.add(t.name())) {
                throw new GgufFormatException("duplicate tensor name " + quote(t.name()));
            }
            tensors.add(t);
        }

        long dataOffset = align(pos, alignment);
        if (dataOffset > file.byteSize() && !tensors.isEmpty()) {
            throw new GgufFormatException("truncated: the tensor data section would start at " + dataOffset
                    + " but the file has " + file.byteSize() + " bytes");
        }
        long dataSize = file.byteSize() - Math.min(dataOffset, file.byteSize());
        for (GgufTensorInfo t : tensors) {
            String shown = quote(t.name());
            if (t.offset() < 0 || t.offset() > dataSize - t.byteSize()) {
                throw new GgufFormatException("tensor " + shown + " out of bounds: bytes "
                        + Long.toUnsignedString(t.offset()) + ".." + Long.toUnsignedString(t.offset() + t.byteSize())
                        + " of a data section of " + dataSize + " bytes (file truncated?)");
            }
            if (t.offset() % alignment != 0) {
                throw new GgufFormatException("tensor " + shown + " offset " + t.offset()
                        + " is not aligned to " + alignment);
            }
        }
        return new GgufFile(path, version, metadata, tensors, alignment, dataOffset, file, arena);
    }

    private GgufTensorInfo tensorInfo(long index) {
        String name = string("name of tensor #" + index);
        String shown = "tensor " + quote(name);
        int rank = u32("rank of " + shown);
        if (rank < 1 || rank > MAX_DIMS) {
            throw new GgufFormatException(shown + " has rank " + Integer.toUnsignedString(rank)
                    + " (1.." + MAX_DIMS + " allowed)");
        }
        long[] shape = new long[rank];
        long elements = 1;
        for (int d = 0; d < rank; d++) {
            shape[d] = u64("shape of " + shown);
            if (shape[d] <= 0) {
                throw new GgufFormatException(shown + " has dimension " + d + " = "
                        + Long.toUnsignedString(shape[d]));
            }
            if (elements > Long.MAX_VALUE / shape[d]) {
                throw new GgufFormatException(shown + " has too many elements");
            }
            elements *= shape[d];
        }
        int typeId = u32("type of " + shown);
        GgmlType type = GgmlType.byId(typeId);
        if (type == null) {
            throw new GgufFormatException(shown + " has unknown type id " + Integer.toUnsignedString(typeId)
                    + " (a newer quantization, or a corrupt file)");
        }
        if (shape[0] % type.blockSize() != 0) {
            throw new GgufFormatException(shown + " row length " + shape[0]
                    + " is not a multiple of " + type + "'s block size " + type.blockSize());
        }
        // Bytes must fit a long too (byteSize() of the info would otherwise overflow later).
        if (elements / type.blockSize() > Long.MAX_VALUE / type.bytesPerBlock()) {
            throw new GgufFormatException(shown + " has too many elements");
        }
        long offset = u64("offset of " + shown);
        return new GgufTensorInfo(name, type, shape, offset);
    }

    private GgufValue value(GgufValueType type, String key, int depth) {
        String what = "value of " + key;
        return switch (type) {
            case UINT8 -> new GgufValue(type, null, Byte.toUnsignedInt(i8(what)));
            case INT8 -> new GgufValue(type, null, (int) i8(what));
            case UINT16 -> new GgufValue(type, null, Short.toUnsignedInt(i16(what)));
            case INT16 -> new GgufValue(type, null, (int) i16(what));
            case UINT32 -> new GgufValue(type, null, Integer.toUnsignedLong(u32(what)));
            case INT32 -> new GgufValue(type, null, u32(what));
            case UINT64, INT64 -> new GgufValue(type, null, u64(what));
            case FLOAT32 -> new GgufValue(type, null, f32(what));
            case FLOAT64 -> new GgufValue(type, null, f64(what));
            case BOOL -> new GgufValue(type, null, bool(what));
            case STRING -> new GgufValue(type, null, string(what));
            case ARRAY -> array(key, depth);
        };
    }

    private GgufValue array(String key, int depth) {
        if (depth >= MAX_ARRAY_NESTING) {
            throw new GgufFormatException("metadata key " + key + " nests arrays deeper than " + MAX_ARRAY_NESTING);
        }
        int elementId = u32("array type of " + key);
        GgufValueType et = GgufValueType.byId(elementId);
        if (et == null) {
            throw new GgufFormatException("unknown array element type " + Integer.toUnsignedString(elementId)
                    + " for key " + key);
        }
        long n = u64("array length of " + key);
        long minBytes = et.size() > 0 ? et.size() : 8; // strings and arrays carry at least a u64 length
        if (n < 0 || n > (file.byteSize() - pos) / minBytes || n > Integer.MAX_VALUE - 8) {
            throw new GgufFormatException("truncated: array " + key + " claims " + Long.toUnsignedString(n)
                    + " elements of " + et + " at offset " + pos + " in a file of " + file.byteSize() + " bytes");
        }
        int len = (int) n;
        String what = "array " + key;
        Object values = switch (et) {
            case UINT8, INT8, BOOL -> {
                need(len, what);
                byte[] a = file.asSlice(pos, len).toArray(ValueLayout.JAVA_BYTE);
                pos += len;
                if (et != GgufValueType.BOOL) {
                    yield a;
                }
                boolean[] b = new boolean[len];
                for (int i = 0; i < len; i++) {
                    b[i] = a[i] != 0;
                }
                yield b;
            }
            case UINT16, INT16 -> {
                short[] a = new short[len];
                for (int i = 0; i < len; i++) {
                    a[i] = i16(what);
                }
                yield a;
            }
            case UINT32, INT32 -> {
                int[] a = new int[len];
                for (int i = 0; i < len; i++) {
                    a[i] = u32(what);
                }
                yield a;
            }
            case UINT64, INT64 -> {
                long[] a = new long[len];
                for (int i = 0; i < len; i++) {
                    a[i] = u64(what);
                }
                yield a;
            }
            case FLOAT32 -> {
                float[] a = new float[len];
                for (int i = 0; i < len; i++) {
                    a[i] = f32(what);
                }
                yield a;
            }
            case FLOAT64 -> {
                double[] a = new double[len];
                for (int i = 0; i < len; i++) {
                    a[i] = f64(what);
                }
                yield a;
            }
            case STRING -> {
                String[] a = new String[len];
                for (int i = 0; i < len; i++) {
                    a[i] = string(what);
                }
                yield a;
            }
            case ARRAY -> {
                GgufValue[] a = new GgufValue[len];
                for (int i = 0; i < len; i++) {
                    a[i] = array(key, depth + 1);
                }
                yield a;
            }
        };
        return new GgufValue(GgufValueType.ARRAY, et, values);
    }

    private void need(long bytes, String what) {
        if (bytes < 0 || pos + bytes > file.byteSize() || pos + bytes < 0) {
            throw new GgufFormatException("truncated: reading " + what + " at offset " + pos + " needs " + bytes
                    + " bytes but the file has " + file.byteSize());
        }
    }

    private byte i8(String what) {
        need(1, what);
        return file.get(ValueLayout.JAVA_BYTE, pos++);
    }

    private short i16(String what) {
        need(2, what);
        short v = file.get(U16, pos);
        pos += 2;
        return v;
    }

    private int u32(String what) {
        need(4, what);
        int v = file.get(U32, pos);
        pos += 4;
        return v;
    }

    private long u64(String what) {
        need(8, what);
        long v = file.get(U64, pos);
        pos += 8;
        return v;
    }

    private float f32(String what) {
        need(4, what);
        float v = file.get(F32, pos);
        pos += 4;
        return v;
    }

    private double f64(String what) {
        need(8, what);
        double v = file.get(F64, pos);
        pos += 8;
        return v;
    }

    private boolean bool(String what) {
        byte b = i8(what);
        if (b != 0 && b != 1) {
            throw new GgufFormatException("invalid bool " + b + " in " + what + " at offset " + (pos - 1));
        }
        return b == 1;
    }

    private String string(String what) {
        long len = u64(what); // the message names what is read, so that is left un-concatenated here
        if (len < 0 || len > Integer.MAX_VALUE) {
            throw new GgufFormatException("truncated: " + what + " claims a string of " + Long.toUnsignedString(len)
                    + " bytes at offset " + (pos - 8));
        }
        need(len, what);
        byte[] bytes = file.asSlice(pos, len).toArray(ValueLayout.JAVA_BYTE);
        pos += len;
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * A name read from the file, quoted for an error message: control characters escaped (a corrupt
     * name must not break the one-line message) and long names shortened.
     */
    static String quote(String name) {
        StringBuilder sb = new StringBuilder(Math.min(name.length(), MAX_QUOTED) + 2).append('\'');
        for (int i = 0; i < name.length(); i++) {
            if (sb.length() > MAX_QUOTED) {
                sb.append("...(").append(name.length()).append(" chars)");
                break;
            }
            char c = name.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('\'').toString();
    }

    static long align(long offset, long alignment) {
        return (offset + alignment - 1) / alignment * alignment;
    }
}
