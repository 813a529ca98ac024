package ai.sluice.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernels' fatbin, as the build put it on the class path ({@code cuda/src/main/cuda/build.sh}),
 * and a reader of its container headers: which machine code (ELF, per {@code sm_XY}) and which PTX
 * it holds. The layout read here is the one nvcc writes: a 16-byte header (magic {@code 0xBA55ED50},
 * version, header size, payload size), then entries, each a header (kind 1 PTX / 2 ELF at byte 0,
 * its own size at 4, payload size at 8, the architecture as {@code 10 * major + minor} at 28) and
 * its payload.
 */
public final class Fatbin {
    /** Where the build puts the fatbin on the class path. */
    public static final String RESOURCE = "/ai/sluice/cuda/sluice_kernels.fatbin";
    static final int MAGIC = 0xBA55ED50;

    /** One image in the fatbin. */
    public record Entry(Kind kind, int arch, long bytes) {
        @Override
        public String toString() {
            return (kind == Kind.ELF ? "sm_" : "compute_") + arch + " " + kind.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Machine code for one architecture, or PTX that the driver compiles for its GPU at load. */
    public enum Kind { PTX, ELF, OTHER }

    private Fatbin() {
    }

    /** The fatbin's bytes; {@link CudaUnavailableException} where this build has none (no nvcc when it ran). */
    public static byte[] load() {
        try (InputStream in = Fatbin.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new CudaUnavailableException("this build has no CUDA kernels (" + RESOURCE.substring(1)
                        + " is missing: nvcc was not found when cuda/src/main/cuda/build.sh ran)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /** The images in {@code fatbin}; {@link IllegalArgumentException} where it is not one. */
    public static List<Entry> entries(byte[] fatbin) {
        ByteBuffer b = ByteBuffer.wrap(fatbin).order(ByteOrder.LITTLE_ENDIAN);
        if (fatbin.length < 16 || b.getInt(0) != MAGIC) {
            throw new IllegalArgumentException("not a fatbin (no 0xBA55ED50 magic)");
        }
        int headerSize = Short.toUnsignedInt(b.getShort(6));
        long payload = b.getLong(8);
        long end = headerSize + payload;
        if (end > fatbin.length) {
            throw new IllegalArgumentException("fatbin header claims " + end + " bytes, the file has " + fatbin.length);
        }
        List<Entry> entries = new ArrayList<>();
        long at = headerSize;
        while (at + 32 <= end) {
            int p = Math.toIntExact(at);
            int kind = Short.toUnsignedInt(b.getShort(p));
            long entryHeader = Integer.toUnsignedLong(b.getInt(p + 4));
            long size = b.getLong(p + 8);
            int arch = b.getInt(p + 28);
            if (entryHeader < 32 || size < 0 || at + entryHeader + size > end) {
                throw new IllegalArgumentException("fatbin entry at byte " + at + " runs past the end");
            }
            entries.add(new Entry(kind == 1 ? Kind.PTX : kind == 2 ? Kind.ELF : Kind.OTHER, arch, size));
            at += entryHeader + size;
        }
        return List.copyOf(entries);
    }
}
