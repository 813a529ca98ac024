package ai.sluice.plan;

/** The tensor-core arithmetic a matrix multiply runs in; picks which throughput figure applies. */
public enum ComputeType {
    BF16, FP8, INT8
}
