package ai.sluice.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** KV sizes checked against hand-computed values: 2 (K and V) x layers x KV heads x head dim x bytes. */
class KvCacheMathTest {
    private final ModelCatalog catalog = ModelCatalog.builtIn();

    @Test
    void llama3_70bKvPerTokenIs327680BytesAtFp16() {
        // 2 x 80 layers x 8 KV heads x 128 x 2 bytes: a published calculator had this 4x off
        ModelSpec m = catalog.find("llama-3-70b");
        assertThat(m.kvBytesPerToken(KvPrecision.F16)).isEqualTo(2L * 80 * 8 * 128 * 2).isEqualTo(327_680);
    }

    @Test
    void llama3_70bKvSplitsEvenlyUpToItsEightKvHeads() {
        ModelSpec m = catalog.find("llama-3.1-70b");
        assertThat(m.kvBytesPerTokenPerShard(KvPrecision.F16, 8)).isEqualTo(327_680 / 8);
        assertThat(m.kvDuplication(8)).isEqualTo(1.0);
        // TP 16: each shard still needs one whole KV head, so every head is stored twice
        assertThat(m.kvBytesPerTokenPerShard(KvPrecision.F16, 16)).isEqualTo(40_960);
        assertThat(m.kvDuplication(16)).isEqualTo(2.0);
    }

    @Test
    void qwen3_235bStoresEachOfItsFourKvHeadsTwiceAtTp8() {
        ModelSpec m = catalog.find("qwen3-235b-a22b");
        // 2 x 94 layers x 4 KV heads x 128 x 2 bytes
        assertThat(m.kvBytesPerToken(KvPrecision.F16)).isEqualTo(192_512);
        assertThat(m.kvBytesPerTokenPerShard(KvPrecision.F16, 4)).isEqualTo(48_128);
        assertThat(m.kvDuplication(4)).isEqualTo(1.0);
        assertThat(m.kvHeadsPerShard(8)).isEqualTo(1);
        assertThat(m.kvBytesPerTokenPerShard(KvPrecision.F16, 8)).isEqualTo(48_128);
        assertThat(8 * m.kvBytesPerTokenPerShard(KvPrecision.F16, 8)).isEqualTo(385_024);
        assertThat(m.kvDuplication(8)).isEqualTo(2.0);
    }

    @Test
    void fullMultiHeadAttentionCostsFourTimesGqaWithAQuarterOfTheHeads() {
        // Llama 2 7B: 32 KV heads = 32 query heads; 2 x 32 x 32 x 128 x 2
        assertThat(catalog.find("llama-2-7b").kvBytesPerToken(KvPrecision.F16)).isEqualTo(524_288);
        assertThat(catalog.find("mistral-7b").kvBytesPerToken(KvPrecision.F16)).isEqualTo(131_072);
    }

    @Test
    void kvElementTypesScaleTheBytes() {
        ModelSpec m = catalog.find("llama-3.1-70b");
        assertThat(m.kvBytesPerToken(KvPrecision.F32)).isEqualTo(655_360);
        assertThat(m.kvBytesPerToken(KvPrecision.FP8)).isEqualTo(163_840);
        // Q8_0: 34 bytes per 32 values
        assertThat(m.kvBytesPerToken(KvPrecision.Q8_0)).isEqualTo(163_840L * 34 / 32).isEqualTo(174_080);
    }

    @Test
    void mixtralExpertParametersMatchItsLayerShapes() {
        // 32 layers x 8 experts x 3 matrices x 4096 x 14336
        long byShape = 32L * 8 * 3 * 4096 * 14336;
        assertThat(catalog.find("mixtral-8x7b").expertParams()).isCloseTo(byShape, within(byShape / 1000));
        assertThat(catalog.find("llama-3.1-8b").expertParams()).isZero();
    }
}
