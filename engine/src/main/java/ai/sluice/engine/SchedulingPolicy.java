package ai.sluice.engine;

/** The order in which waiting requests are admitted (and, reversed, in which running ones are preempted). */
public enum SchedulingPolicy {
    /** First come, first served: arrival order; the newest running request is preempted first. */
    FCFS,
    /**
     * By {@link GenerationRequest#priority()}, lower values first (as vLLM), ties by arrival; the
     * running request with the highest value (newest among equals) is preempted first.
     */
    PRIORITY
}
