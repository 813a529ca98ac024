package ai.sluice.cuda;

import ai.sluice.core.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * A weight matrix (or {@code count} same-shaped matrices stored one after the other) in device
 * memory, in the layout the kernels read: F32 and F16 rows as GGUF has them; Q8_0 and Q4_0 repacked
 * into a quant plane and a scale plane (see {@code sluice_kernels.cu}), so that every 16-byte load is
 * aligned. {@code scales} is null for F32 and F16.
 */
public record DeviceWeights(GgmlType type, int rows, int cols, int count, DeviceBuffer quants, DeviceBuffer scales) {
    public DeviceWeights {
        requireShape(type, rows, cols);
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1, got " + count);
        }
        if (quants.bytes() < count * quantBytes(type, rows, cols)) {
            throw new IllegalArgumentException(type + " " + rows + " x " + cols + " x " + count + " needs "
                    + count * quantBytes(type, rows, cols) + " bytes of weights, the buffer has " + quants.bytes());
        }
        if (type.isQuantized() && (scales == null || scales.bytes() < count * scaleBytes(type, rows, cols))) {
            throw new IllegalArgumentException(type + " " + rows + " x " + cols + " x " + count + " needs "
                    + count * scaleBytes(type, rows, cols) + " bytes of scales");
        }
    }

    /**
     * Refuses the types and shapes the kernels do not take: F32, F16 (rows of any length), Q8_0 and
     * Q4_0 (whole 32-element blocks).
     */
    public static void requireShape(GgmlType type, int rows, int cols) {
        if (type != GgmlType.F32 && type != GgmlType.F16 && type != GgmlType.Q8_0 && type != GgmlType.Q4_0) {
            throw new IllegalArgumentException("the CUDA kernels take F32, F16, Q8_0 and Q4_0 weights, not " + type);
        }
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("weight shape " + rows + " x " + cols + " must be positive");
        }
        if (type.isQuantized() && cols % 32 != 0) {
            throw new IllegalArgumentException(type + " rows of " + cols + " elements: the CUDA kernels need a multiple of 32");
        }
    }

    /** Bytes of the quant plane (F16: the whole matrix) of one matrix. */
    public static long quantBytes(GgmlType type, int rows, int cols) {
        long n = (long) rows * cols;
        return switch (type) {
            case F32 -> 4 * n;
            case F16 -> 2 * n;
            case Q8_0 -> n;
            case Q4_0 -> n / 2;
            default -> throw new IllegalArgumentException(type + " has no CUDA layout");
        };
    }

    /** Bytes of the scale plane of one matrix (an f16 per block of 32; none for F16). */
    public static long scaleBytes(GgmlType type, int rows, int cols) {
        return type.isQuantized() ? (long) rows * cols / 32 * 2 : 0;
    }

    /** Bytes the kernels read for one matrix: what a bandwidth figure counts. */
    public long bytesPerMatrix() {
        return quantBytes(type, rows, cols) + scaleBytes(type, rows, cols);
    }

    /**
     * Uploads a matrix in GGUF's layout ({@code raw}: rows of {@code type.byteSize(cols)} bytes) and
     * prepares it for the kernels: F16 as is, Q8_0/Q4_0 repacked on the device.
     */
    public static DeviceWeights upload(CudaContext context, CudaKernels kernels, GgmlType type, int rows, int cols,
            MemorySegment raw) {
        requireShape(type, rows, cols);
        long rawBytes = type.byteSize(cols) * rows;
        if (raw.byteSize() < rawBytes) {
            throw new IllegalArgumentException(type + " " + rows + " x " + cols + " takes " + rawBytes
                    + " bytes in GGUF's layout, got " + raw.byteSize());
        }
        DeviceBuffer quants = context.allocate(quantBytes(type, rows, cols));
        if (!type.isQuantized()) {
            context.upload(raw.asSlice(0, rawBytes), quants);
            return new DeviceWeights(type, rows, cols, 1, quants, null);
        }
        DeviceBuffer scales = context.allocate(scaleBytes(type, rows, cols));
        DeviceBuffer staging = context.allocate(rawBytes);
        try {
            context.upload(raw.asSlice(0, rawBytes), staging);
            kernels.repack(type, staging, (long) rows * cols / 32, quants, scales);
            context.synchronize();
        } finally {
            context.free(staging);
        }
        return new DeviceWeights(type, rows, cols, 1, quants, scales);
    }

    /** Frees the planes. */
    public void free(CudaContext context) {
        context.free(quants);
        if (scales != null) {
            context.free(scales);
        }
    }
}
