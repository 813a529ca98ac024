package ai.sluice.core.tensor;

/** The body of a parallel loop: handles indices {@code [start, end)}. */
@FunctionalInterface
public interface RangeBody {
    void run(int start, int end);
}
