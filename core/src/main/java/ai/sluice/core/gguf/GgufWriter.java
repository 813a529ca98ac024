package ai.sluice.core.gguf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Writes GGUF v3 files.
 *
 * <p>The output is laid out first (header, metadata, tensor table, aligned data offsets), then
 * memory-mapped and each tensor's {@link TensorSpec#fill} writes its bytes straight into the
 * mapping, so files larger than memory (or than 2 GiB) are written without heap copies. The file is
 * written under a temporary name and moved into place at the end: a failure never leaves a
 * half-written file under the final name.
 */
public final class GgufWriter {

    /**
     * A tensor to write.
     *
     * @param name tensor name
     * @param type element type
     * @param shape dimensions, row length first
     * @param fill writes exactly {@code type.byteSize(elements)} bytes into the segment it is given
     */
    public record TensorSpec(String name, GgmlType type, long[] shape, Consumer<MemorySegment> fill) {
        public TensorSpec {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(fill, "fill");
            shape = shape.clone();
        }

        public long elementCount() {
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }

        public long byteSize() {
            return type.byteSize(elementCount());
        }
    }

    private GgufWriter() {
    }

    /** Writes {@code metadata} and {@code tensors} (in order) to {@code out}. */
    public static void write(Path out, Map<String, GgufValue> metadata, List<TensorSpec> tensors) {
        long alignment = GgufReader.DEFAULT_ALIGNMENT;
        GgufValue a = metadata.get("general.alignment");
        if (a != null && a.value() instanceof Number n) {
            alignment = n.longValue();
            if (alignment <= 0 || Long.bitCount(alignment) != 1) {
                throw new IllegalArgumentException("general.alignment must be a power of two, got " + alignment);
            }
        }
        Set<String> names = new HashSet<>();
        for (TensorSpec t : tensors) {
            if (!names.add(t.name())) {
                throw new IllegalArgumentException("duplicate tensor name '" + t.name() + "'");
            }
            if (t.shape().length < 1 || t.shape().length > 4) {
                throw new IllegalArgumentException("tensor '" + t.name() + "' must have 1 to 4 dimensions");
            }
        }

        Header header = new Header();
        header.u32(GgufReader.MAGIC);
        header.u32(3);
        header.u64(tensors.size());
        header.u64(metadata.size());
        for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
            header.string(e.getKey());
            header.u32(e.getValue().type().id());
            header.value(e.getValue());
        }
        List<Long> offsets = new ArrayList<>(tensors.size());
        long dataSize = 0;
        for (TensorSpec t : tensors) {
            long[] shape = t.shape();
            header.string(t.name());
            header.u32(shape.length);
            for (long d : shape) {
                header.u64(d);
            }
            header.u32(t.type().id());
            header.u64(dataSize);
            offsets.add(dataSize);
            dataSize = GgufReader.align(dataSize + t.byteSize(), alignment);
        }
        byte[] head = header.bytes();
        long dataOffset = GgufReader.align(head.length, alignment);
        long lastEnd = tensors.isEmpty() ? 0
                : offsets.getLast() + tensors.getLast().byteSize();
        long fileSize = dataOffset + lastEnd;

        Path tmp = out.resolveSibling(out.getFileName() + ".partial");
        try (Arena arena = Arena.ofShared();
             FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                     StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // Grow the file to its final size by writing its last byte (the gap reads as zeros).
            if (fileSize > 0) {
                ch.write(ByteBuffer.wrap(new byte[1]), fileSize - 1);
            }
            MemorySegment map = ch.map(FileChannel.MapMode.READ_WRITE, 0, fileSize, arena);
            MemorySegment.copy(MemorySegment.ofArray(head), 0, map, 0, head.length);
            for (int i = 0; i < tensors.size(); i++) {
                TensorSpec t = tensors.get(i);
                t.fill().accept(map.asSlice(dataOffset + offsets.get(i), t.byteSize()));
            }
            map.force();
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(tmp);
            throw e;
        }
        try {
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new UncheckedIOException("cannot move " + tmp + " to " + out + ": " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: the original error is the one worth reporting
        }
    }

    /** Little-endian serialisation of the header part. */
    private static final class Header {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 16);
        private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

        byte[] bytes() {
            return out.toByteArray();
        }

        void u8(int v) {
            out.write(v);
        }

        void u16(int v) {
            scratch.clear();
            scratch.putShort((short) v);
            out.write(scratch.array(), 0, 2);
        }

        void u32(int v) {
            scratch.clear();
            scratch.putInt(v);
            out.write(scratch.array(), 0, 4);
        }

        void u64(long v) {
            scratch.clear();
            scratch.putLong(v);
            out.write(scratch.array(), 0, 8);
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            out.write(b, 0, b.length);
        }

        void value(GgufValue v) {
            Object o = v.value();
            switch (v.type()) {
                case UINT8, INT8 -> u8(((Number) o).intValue());
                case UINT16, INT16 -> u16(((Number) o).intValue());
                case UINT32, INT32 -> u32(((Number) o).intValue());
                case UINT64, INT64 -> u64(((Number) o).longValue());
                case FLOAT32 -> u32(Float.floatToRawIntBits(((Number) o).floatValue()));
                case FLOAT64 -> u64(Double.doubleToRawLongBits(((Number) o).doubleValue()));
                case BOOL -> u8((Boolean) o ? 1 : 0);
                case STRING -> string((String) o);
                case ARRAY -> array(v);
            }
        }

        void array(GgufValue v) {
            u32(v.elementType().id());
            u64(v.arrayLength());
            switch (v.value()) {
                case byte[] a -> out.write(a, 0, a.length);
                case short[] a -> { for (short x : a) u16(x); }
                case int[] a -> { for (int x : a) u32(x); }
                case long[] a -> { for (long x : a) u64(x); }
                case float[] a -> { for (float x : a) u32(Float.floatToRawIntBits(x)); }
                case double[] a -> { for (double x : a) u64(Double.doubleToRawLongBits(x)); }
                case boolean[] a -> { for (boolean x : a) u8(x ? 1 : 0); }
                case String[] a -> { for (String x : a) string(x); }
                case GgufValue[] a -> { for (GgufValue x : a) array(x); }
                default -> throw new IllegalArgumentException("unsupported array value " + v.value().getClass());
            }
        }
    }
}
