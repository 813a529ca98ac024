package ai.sluice.core.tensor;

/** The CPU backend's {@link Buffer}: a heap array, used in place by the kernels (no copies). */
public record CpuBuffer(float[] data) implements Buffer {

    @Override
    public int length() {
        return data.length;
    }

    @Override
    public String backend() {
        return "cpu";
    }
}
