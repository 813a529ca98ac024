package ai.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sluice.core.tensor.KvType;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The startup warm-up on the real stories260K model. */
class EngineWarmupTest {
    private static Stories260K stories;

    @BeforeAll
    static void load() {
        stories = Stories260K.open();
    }

    @AfterAll
    static void close() {
        stories.close();
    }

    private static EngineConfig serving() {
        // a pool far larger than the warm-up needs and 2 sequences per step: the warm-up sizes its own engine
        return EngineConfig.builder().kvCacheBytes(64L << 20).maxNumSeqs(2).maxBatchedTokens(64).kvCacheType(KvType.F16)
                .prefixCaching(true).detokenizer(Detokenizer.of(stories.tokenizer))
                .eosTokenIds(Set.of(stories.tokenizer.vocabulary().eosId())).build();
    }

    @Test
    void runsTwoRoundsOfBatchedAndSingleRequestsToTheirLength() {
        EngineWarmup.Report report = EngineWarmup.run(new LlamaRunner(stories.model), serving());
        assertThat(report.rounds()).hasSize(2).allSatisfy(d -> assertThat(d).isPositive());
        // per round: SEQUENCES together, then one alone, each to its full output length (EOS ignored)
        assertThat(report.generatedTokens()).isEqualTo(2L * (EngineWarmup.SEQUENCES + 1) * EngineWarmup.OUTPUT_TOKENS);
    }
}
