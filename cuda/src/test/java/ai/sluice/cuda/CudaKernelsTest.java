package ai.sluice.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sluice.core.gguf.GgmlType;
import ai.sluice.core.model.KvType;
import ai.sluice.core.model.RopeType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The checks and grids of {@link CudaKernels}, which run before anything reaches a GPU: launches go
 * to a launcher that records them (nothing is executed; the kernels themselves are checked on a GPU
 * by {@code DeviceCheck}). Buffers are addresses that are never dereferenced.
 */
class CudaKernelsTest {
    record Launch(String kernel, int gridX, int gridY, int threads, List<Object> args) {
    }

    private final List<Launch> launches = new ArrayList<>();
    private final CudaKernels kernels = new CudaKernels(
            (kernel, gx, gy, threads, args) -> launches.add(new Launch(kernel, gx, gy, threads, List.of(args))));
    private long next = 0x1000_0000L;

    private DeviceBuffer buffer(long bytes) {
        DeviceBuffer b = new DeviceBuffer(next, bytes);
        next += (bytes + 255) / 256 * 256 + 256;
        return b;
    }

    @Test
    void everyLaunchNamesAKernelOfTheFatbin() {
        DeviceBuffer big = buffer(1 << 24);
        kernels.rmsNorm(big, big, big, 4, 64, 1e-5f);
        kernels.rope(big, big, big, 4, 2, 32, 32, RopeType.NORMAL);
        kernels.swiglu(big, big, big, 100);
        kernels.add(big, big, 100);
        kernels.embedRows(big, big, GgmlType.Q4_0, 10, 64, big, 3);
        kernels.repack(GgmlType.Q8_0, big, 8, big, big);
        kernels.repack(GgmlType.Q4_0, big, 8, big, big);
        CudaKernels.QuantizedVector xq = new CudaKernels.QuantizedVector(big, big, 64);
        kernels.quantize(xq, big);
        for (GgmlType t : List.of(GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0)) {
            DeviceWeights w = new DeviceWeights(t, 16, 64, 1, big, big);
            kernels.matvec(big, w, big, xq);
            kernels.matmul(big, w, big, 3);
        }
        CudaKernels.KvLayer kv = new CudaKernels.KvLayer(big, big, KvType.F16, 32, 64, 64);
        kernels.kvWrite(kv, big, big, big, 2);
        kernels.attention(big, big, kv, big, new CudaKernels.SlotTables(big, big, 16, 4), 2, 4, 2, 32, 32);
        kernels.fillBytes(big, 64, 1);
        kernels.addRows(big, big, 3, 64);
        kernels.embedPrepared(big, new DeviceWeights(GgmlType.F32, 10, 64, 1, big, null), big, 2);
        kernels.fillF16(big, 64, 1, 1f);
        assertThat(launches).extracting(Launch::kernel).containsExactlyInAnyOrderElementsOf(
                List.of("sluice_rms_norm", "sluice_rope", "sluice_swiglu", "sluice_add", "sluice_embed_rows",
                        "sluice_repack_q8_0", "sluice_repack_q4_0", "sluice_quantize_q8", "sluice_matvec_f16",
                        "sluice_matmul", "sluice_matvec_q8_0", "sluice_matmul", "sluice_matvec_q4_0", "sluice_matmul",
                        "sluice_kv_write", "sluice_attention", "sluice_fill_bytes", "sluice_fill_f16", "sluice_add_rows",
                        "sluice_embed_prepared"));
        assertThat(FatbinTest.KERNELS).containsAll(launches.stream().map(Launch::kernel).toList());
    }

    @Test
    void matrixVectorGridsCoverEveryRowOfEveryStackedMatrix() {
        DeviceBuffer big = buffer(1 << 26);
        DeviceWeights w = new DeviceWeights(GgmlType.Q4_0, 5632, 2048, 3, big, big);
        kernels.matvec(big, w, big, new CudaKernels.QuantizedVector(big, big, 2048));
        Launch l = launches.getFirst();
        assertThat(l.gridX() * (l.threads() / 32)).isGreaterThanOrEqualTo(5632).isLessThan(5632 + l.threads() / 32);
        assertThat(l.gridY()).isEqualTo(3);
        assertThat(l.args()).endsWith(5632, 2048, 0);
        kernels.matvecBatch(big, w, big, new CudaKernels.QuantizedVector(big, big, 5 * 2048), 5);
        Launch batch = launches.getLast();
        assertThat(batch.gridY()).isEqualTo(5);
        assertThat(batch.args()).endsWith(5632, 2048, 1);
        assertThatThrownBy(() -> kernels.matvecBatch(big, w, big, new CudaKernels.QuantizedVector(big, big, 2048), 5))
                .hasMessageContaining("needs x quantized to 10240 elements, got 2048");
    }

    @Test
    void matmulTilesCoverRowsAndBatch() {
        DeviceBuffer big = buffer(1 << 26);
        kernels.matmul(big, new DeviceWeights(GgmlType.F16, 130, 64, 1, big, null), big, 65);
        Launch l = launches.getFirst();
        assertThat(l.gridX()).isEqualTo(3);
        assertThat(l.gridY()).isEqualTo(2);
        assertThat(l.args()).endsWith(130, 64, 65, GgmlType.F16.id());
    }

    @Test
    void refusesBuffersSmallerThanWhatTheKernelTouches() {
        DeviceBuffer small = buffer(4 * 63);
        DeviceBuffer big = buffer(1 << 20);
        assertThatThrownBy(() -> kernels.rmsNorm(big, small, big, 1, 64, 1e-5f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("x buffer holds 252 bytes, the kernel touches 256");
        assertThatThrownBy(() -> kernels.add(big, small, 64)).hasMessageContaining("y buffer holds 252 bytes");
        assertThatThrownBy(() -> new DeviceWeights(GgmlType.Q8_0, 64, 64, 1, small, big))
                .hasMessageContaining("needs 4096 bytes of weights");
        assertThat(launches).isEmpty();
    }

    @Test
    void refusesShapesTheKernelsDoNotTake() {
        DeviceBuffer big = buffer(1 << 20);
        assertThatThrownBy(() -> new DeviceWeights(GgmlType.Q8_0, 4, 48, 1, big, big))
                .hasMessageContaining("need a multiple of 32");
        assertThatThrownBy(() -> new DeviceWeights(GgmlType.BF16, 4, 64, 1, big, big))
                .hasMessageContaining("take F32, F16, Q8_0 and Q4_0 weights, not BF16");
        DeviceWeights f16Ffn = new DeviceWeights(GgmlType.F16, 64, 172, 1, big, null); // stories260K's ffn_down
        assertThatThrownBy(() -> kernels.matvec(big, f16Ffn, big, null)).hasMessageContaining("a multiple of 32 is needed");
        assertThatThrownBy(() -> kernels.rope(big, big, big, 1, 2, 32, 33, RopeType.NORMAL))
                .hasMessageContaining("must be even");
        CudaKernels.KvLayer kv = new CudaKernels.KvLayer(big, big, KvType.F32, 8, 3 * 32, 3 * 32);
        CudaKernels.SlotTables tables = new CudaKernels.SlotTables(big, big, 16, 1);
        assertThatThrownBy(() -> kernels.attention(big, big, kv, big, tables, 1, 4, 3, 32, 32))
                .hasMessageContaining("4 query heads do not split into 3 KV heads");
        CudaKernels.KvLayer wide = new CudaKernels.KvLayer(big, big, KvType.F32, 8, 512, 512);
        assertThatThrownBy(() -> kernels.attention(big, big, wide, big, tables, 1, 1, 1, 512, 512))
                .hasMessageContaining("the CUDA attention takes 1..256");
        DeviceWeights q8 = new DeviceWeights(GgmlType.Q8_0, 4, 64, 1, big, big);
        assertThatThrownBy(() -> kernels.matvec(big, q8, big, null))
                .hasMessageContaining("needs x quantized to 64 elements");
        assertThatThrownBy(() -> new CudaKernels.QuantizedVector(big, big, 40)).hasMessageContaining("whole blocks of 32");
        assertThat(launches).isEmpty();
    }

    @Test
    void ropeFrequenciesFollowCoreRope() {
        double[] f = CudaKernels.ropeFrequencies(8, 10000f, 2f, new float[] {1f, 2f, 1f, 1f});
        assertThat(f).hasSize(4);
        assertThat(f[0]).isEqualTo(0.5);
        assertThat(f[1]).isEqualTo(Math.pow(10000, -2.0 / 8) / 2 / 2);
        assertThat(f[3]).isEqualTo(Math.pow(10000, -6.0 / 8) / 2);
    }
}
