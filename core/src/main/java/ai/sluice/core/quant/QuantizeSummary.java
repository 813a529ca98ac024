package ai.sluice.core.quant;

import ai.sluice.core.gguf.GgmlType;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a quantization did: the plan of every tensor and the totals per output type.
 *
 * @param tensors every tensor's plan, in file order
 * @param fileBytesBefore size of the input file
 * @param fileBytesAfter size of the output file
 * @param elapsed wall time
 */
public record QuantizeSummary(List<TensorPlan> tensors, long fileBytesBefore, long fileBytesAfter, Duration elapsed) {

    /** Totals for the tensors written as one type. */
    public record TypeTotals(GgmlType type, int tensors, long elements, long bytesBefore, long bytesAfter) {
        TypeTotals plus(TensorPlan p) {
            return new TypeTotals(type, tensors + 1, elements + p.elements(),
                    bytesBefore + p.bytesBefore(), bytesAfter + p.bytesAfter());
        }
    }

    public QuantizeSummary {
        tensors = List.copyOf(tensors);
    }

    /** Totals grouped by output type, in order of first appearance. */
    public Map<GgmlType, TypeTotals> byOutputType() {
        Map<GgmlType, TypeTotals> totals = new LinkedHashMap<>();
        for (TensorPlan p : tensors) {
            totals.merge(p.to(), new TypeTotals(p.to(), 1, p.elements(), p.bytesBefore(), p.bytesAfter()),
                    (a, b) -> a.plus(p));
        }
        return totals;
    }

    public long tensorBytesBefore() {
        long sum = 0;
        for (TensorPlan p : tensors) {
            sum += p.bytesBefore();
        }
        return sum;
    }

    public long tensorBytesAfter() {
        long sum = 0;
        for (TensorPlan p : tensors) {
            sum += p.bytesAfter();
        }
        return sum;
    }
}
