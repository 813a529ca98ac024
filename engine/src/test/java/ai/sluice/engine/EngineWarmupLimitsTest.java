package ai.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sluice.core.tensor.KvType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The warm-up on the fake model: its lengths follow the context, and a failing model fails startup with a message. */
class EngineWarmupLimitsTest {
    private static final EngineConfig SERVING = EngineConfig.builder().kvCacheBytes(1 << 20).maxNumSeqs(2).build();

    @Test
    void aShortContextShortensThePromptNotTheOutput() {
        // context 10: prompts of 2, outputs of 8
        HashChainRunner runner = new HashChainRunner(50, 10);
        EngineWarmup.Report report = EngineWarmup.run(runner, SERVING);
        assertThat(report.rounds()).hasSize(2);
        assertThat(report.generatedTokens()).isEqualTo(2L * (EngineWarmup.SEQUENCES + 1) * 8);
        assertThat(runner.closed).as("the warm-up owns the runner").isTrue();
        // prompts of 2: at most the four prompts in one step (fewer when the loop steps before all four
        // are submitted, which depends on thread timing)
        assertThat(runner.maxEntries).as("prompts of 2 tokens").isBetween(2, EngineWarmup.SEQUENCES * 2);
        // context 8: one-token prompts, seven-token outputs
        assertThat(EngineWarmup.run(new HashChainRunner(50, 8), SERVING).generatedTokens())
                .isEqualTo(2L * (EngineWarmup.SEQUENCES + 1) * 7);
    }

    @Test
    void aContextTooShortToGenerateSkipsTheWarmUp() {
        HashChainRunner runner = new HashChainRunner(50, 1);
        EngineWarmup.Report report = EngineWarmup.run(runner, SERVING);
        assertThat(report.rounds()).isEmpty();
        assertThat(report.generatedTokens()).isZero();
        assertThat(runner.closed).isTrue();
        assertThat(new EngineWarmup.Report(List.of(), 3).generatedTokens()).isEqualTo(3);
    }

    @Test
    void aModelThatFailsFailsTheWarmUpWithItsMessage() {
        HashChainRunner inner = new HashChainRunner(50, 64);
        ModelRunner failing = new ModelRunner() {
            @Override
            public int vocabSize() {
                return inner.vocabSize();
            }

            @Override
            public int contextLength() {
                return inner.contextLength();
            }

            @Override
            public long kvBytesPerToken(KvType type) {
                return inner.kvBytesPerToken(type);
            }

            @Override
            public long availableMemoryBytes() {
                return inner.availableMemoryBytes();
            }

            @Override
            public void allocateKvCache(int slots, KvType type) {
                inner.allocateKvCache(slots, type);
            }

            @Override
            public void forward(List<Entry> batch, float[] logits) {
                throw new IllegalStateException("no kernels today");
            }

            @Override
            public void close() {
                inner.close();
            }
        };
        assertThatThrownBy(() -> EngineWarmup.run(failing, SERVING)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("warm-up request failed").hasMessageContaining("no kernels today");
        assertThat(inner.closed).isTrue();
    }
}
