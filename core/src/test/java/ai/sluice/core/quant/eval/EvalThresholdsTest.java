package ai.sluice.core.quant.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EvalThresholdsTest {
    private static EvalResult result(double meanKl, double top1) {
        return new EvalResult(100, 5.0, 5.1, meanKl, meanKl * 5, meanKl * 10, top1);
    }

    @Test
    void defaultsPassAnEightBitLikeResultAndFailAFourBitLikeOne() {
        // Figures of the size llama.cpp reports for stories260K: Q8_0 ~6.5e-4, Q4_0 ~0.12 mean KL.
        assertThat(EvalThresholds.DEFAULT.judge(result(6.5e-4, 0.985)).go()).isTrue();
        EvalThresholds.Verdict q4 = EvalThresholds.DEFAULT.judge(result(0.12, 0.86));
        assertThat(q4.go()).isFalse();
        assertThat(q4.label()).isEqualTo("NO-GO");
        assertThat(q4.reason()).isEqualTo("mean KL 0.120 > 0.0100, top-1 agreement 86.00% < 95.00%");
    }

    @Test
    void eitherFigureAloneCanFailTheModelAndBoundsAreInclusive() {
        EvalThresholds bar = new EvalThresholds(0.05, 0.90);
        assertThat(bar.judge(result(0.05, 0.90)).go()).isTrue();
        assertThat(bar.judge(result(0.051, 0.99)).go()).isFalse();
        assertThat(bar.judge(result(0.001, 0.899)).go()).isFalse();
    }

    @Test
    void rejectsThresholdsOutOfRange() {
        assertThatThrownBy(() -> new EvalThresholds(-1, 0.9)).hasMessageContaining("KL threshold");
        assertThatThrownBy(() -> new EvalThresholds(0.01, 1.5)).hasMessageContaining("between 0 and 100%");
    }
}
