package ai.sluice.cuda;

/**
 * A span of device memory: {@code address} (a {@code CUdeviceptr}) and its size in bytes. A value: it
 * owns nothing; {@link CudaContext#allocate} hands out buffers and {@link CudaContext#free} frees them.
 */
public record DeviceBuffer(long address, long bytes) {
    public DeviceBuffer {
        if (address == 0) {
            throw new IllegalArgumentException("device address 0 (a null pointer)");
        }
        if (bytes < 0) {
            throw new IllegalArgumentException("negative size " + bytes);
        }
    }

    /** The part of this buffer from byte {@code offset}, {@code length} bytes long. */
    public DeviceBuffer slice(long offset, long length) {
        if (offset < 0 || length < 0 || offset + length > bytes) {
            throw new IndexOutOfBoundsException("slice [" + offset + ", " + (offset + length) + ") of a buffer of "
                    + bytes + " bytes");
        }
        return new DeviceBuffer(address + offset, length);
    }
}
