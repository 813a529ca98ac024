package ai.sluice.core.tensor;

import ai.sluice.core.format.RowDecoder;
import ai.sluice.core.gguf.GgmlType;
import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.gguf.GgufFormatException;
import ai.sluice.core.gguf.GgufTensorInfo;
import java.lang.foreign.MemorySegment;

/**
 * A 2-D weight tensor of {@code rows x cols} elements, read in place from its (memory-mapped) bytes.
 *
 * <p>Row {@code r} holds the weights that produce output element {@code r}; {@code cols} is GGUF's
 * {@code shape[0]}, the contiguous dimension. A 1-D tensor is a matrix of one row. Nothing is copied
 * to the heap: rows are decoded on demand by the kernels.
 */
public final class WeightMatrix implements PreparedWeight {
    private final String name;
    private final GgmlType type;
    private final int rows;
    private final int cols;
    private final long rowBytes;
    private final MemorySegment data;
    private final RowDecoder codec;

    private WeightMatrix(String name, GgmlType type, int rows, int cols, MemorySegment data) {
        this.name = name;
        this.type = type;
        this.rows = rows;
        this.cols = cols;
        this.codec = RowDecoder.forType(type);
        if (codec == null) {
            throw new UnsupportedTensorTypeException(name, type);
        }
        if (cols % type.blockSize() != 0) {
            throw new GgufFormatException("tensor '" + name + "': row length " + cols
                    + " is not a multiple of the " + type + " block size " + type.blockSize());
        }
        this.rowBytes = type.byteSize(cols);
        if (data.byteSize() < rowBytes * rows) {
            throw new GgufFormatException("tensor '" + name + "': " + data.byteSize() + " bytes, "
                    + rows + " rows of " + rowBytes + " bytes expected");
        }
        this.data = data;
    }

    /** A matrix over raw bytes in {@code type}'s layout (used by tests and writers). */
    public static WeightMatrix of(String name, GgmlType type, int rows, int cols, MemorySegment data) {
        return new WeightMatrix(name, type, rows, cols, data);
    }

    /** The tensor {@code name} of an open file; 1-D tensors become one row, 3-D and up are rejected. */
    public static WeightMatrix of(GgufFile file, String name) {
        GgufTensorInfo info = file.tensor(name);
        if (info.rank() > 2) {
            throw new GgufFormatException("tensor '" + name + "' has rank " + info.rank() + ", a matrix was expected");
        }
        return new WeightMatrix(name, info.type(), Math.toIntExact(info.dim(1)), Math.toIntExact(info.dim(0)),
                file.tensorData(info));
    }

    public String name() {
        return name;
    }

    public GgmlType type() {
        return type;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /**
     * The raw bytes in {@link #type()}'s GGML layout, row {@code r} at {@code r * rowBytes()}: read in
     * place by the CPU's fused kernels, copied by a backend that uploads weights ({@code Backend.prepare}).
     */
    public MemorySegment data() {
        return data;
    }

    /** Bytes of one row in {@link #type()}'s layout. */
    public long rowBytes() {
        return rowBytes;
    }

    public long byteSize() {
        return rowBytes * rows;
    }

    /** Decodes row {@code row} into {@code dst[dstOff .. dstOff + cols)}. */
    public void dequantizeRow(int row, float[] dst, int dstOff) {
        codec.decode(data, rowBytes * row, cols, dst, dstOff);
    }

    /** Decodes the whole matrix to a new heap array (small tensors: norms, biases; and tests). */
    public float[] toFloatArray() {
        float[] out = new float[Math.multiplyExact(rows, cols)];
        for (int r = 0; r < rows; r++) {
            dequantizeRow(r, out, r * cols);
        }
        return out;
    }

    /**
     * Row {@code row} dotted with {@code x[xOff .. xOff + cols)}; decodes into {@code scratch}
     * (at least {@code cols} long) so that nothing is allocated.
     */
    public float dot(int row, float[] x, int xOff, float[] scratch) {
        dequantizeRow(row, scratch, 0);
        return VectorMath.dot(scratch, 0, x, xOff, cols);
    }

    @Override
    public String toString() {
        return name + " " + type + " [" + rows + " x " + cols + "]";
    }
}
