package ai.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SchedulerTest {
    private final EngineMetrics metrics = new EngineMetrics(new DrainRate(10, 0));

    private static Sequence seq(long arrival, int promptLength, int priority) {
        int[] prompt = new int[promptLength];
        for (int i = 0; i < promptLength; i++) {
            prompt[i] = (int) (arrival * 1000 + i);
        }
        GenerationRequest r = GenerationRequest.builder("r" + arrival, prompt).maxTokens(100).priority(priority)
                .build();
        return new Sequence(arrival, r, null, 100, 4, 0);
    }

    private static EngineConfig.Builder config() {
        return EngineConfig.builder().blockSize(4).maxNumSeqs(4).maxBatchedTokens(10);
    }

    /** Marks the plan computed and gives every sampling sequence one new token, as the engine does. */
    private static void run(Scheduler scheduler, StepPlan plan) {
        boolean[] samples = new boolean[plan.size()];
        for (int i = 0; i < plan.size(); i++) {
            samples[i] = plan.samples(i);
        }
        scheduler.commit(plan);
        for (int i = 0; i < samples.length; i++) {
            if (samples[i]) {
                plan.sequence(i).append(7);
            }
        }
    }

    @Test
    void longPromptsArePrefilledInChunksAndDecodesGoFirst() {
        Scheduler scheduler = new Scheduler(config().build(), new KvCacheBlocks(64, 4), metrics);
        Sequence shortOne = seq(0, 3, 0);
        Sequence longOne = seq(1, 25, 0);
        scheduler.addWaiting(shortOne);
        scheduler.addWaiting(longOne);

        StepPlan plan = scheduler.schedule();
        assertThat(plan.sequences).containsExactly(shortOne, longOne);
        assertThat(plan.count(0)).isEqualTo(3);
        assertThat(plan.count(1)).isEqualTo(7);
        run(scheduler, plan);

        plan = scheduler.schedule();
        assertThat(plan.sequences).containsExactly(shortOne, longOne);
        assertThat(plan.count(0)).as("the decode").isEqualTo(1);
        assertThat(plan.count(1)).as("the rest of the budget").isEqualTo(9);
        assertThat(plan.samples(1)).isFalse();
    }

    @Test
    void runningOutOfBlocksPreemptsTheNewestSequence() {
        // 4 blocks of 4: after 5 steps both sequences hold 8 computed tokens in 2 blocks each; the next
        // position of the older one needs a 5th block
        Scheduler scheduler = new Scheduler(config().build(), new KvCacheBlocks(4, 4), metrics);
        Sequence older = seq(0, 4, 0);
        Sequence newer = seq(1, 4, 0);
        scheduler.addWaiting(older);
        scheduler.addWaiting(newer);
        for (int step = 0; step < 5; step++) {
            run(scheduler, scheduler.schedule());
        }
        assertThat(older.length()).isEqualTo(9);
        StepPlan plan = scheduler.schedule();
        assertThat(plan.sequences).containsExactly(older);
        assertThat(newer.state).isEqualTo(Sequence.State.WAITING);
        assertThat(newer.blocks()).isZero();
        assertThat(newer.computed).isZero();
        assertThat(metrics.preemptions()).isEqualTo(1);
    }

    @Test
    void priorityAdmitsTheLowestValueFirst() {
        Scheduler scheduler = new Scheduler(config().maxNumSeqs(1).schedulingPolicy(SchedulingPolicy.PRIORITY).build(),
                new KvCacheBlocks(64, 4), metrics);
        Sequence low = seq(0, 3, 5);
        Sequence urgent = seq(1, 3, -1);
        scheduler.addWaiting(low);
        scheduler.addWaiting(urgent);
        assertThat(scheduler.schedule().sequences).containsExactly(urgent);
    }

    @Test
    void fcfsAdmitsInArrivalOrderWithinMaxNumSeqs() {
        Scheduler scheduler = new Scheduler(config().maxNumSeqs(2).build(), new KvCacheBlocks(64, 4), metrics);
        Sequence a = seq(0, 3, 5);
        Sequence b = seq(1, 3, -1);
        Sequence c = seq(2, 3, -1);
        scheduler.addWaiting(a);
        scheduler.addWaiting(b);
        scheduler.addWaiting(c);
        assertThat(scheduler.schedule().sequences).containsExactly(a, b);
        assertThat(scheduler.waitingCount()).isEqualTo(1);
    }

    @Test
    void admissionLeavesEveryRunningSequenceABlockToGrowInto() {
        Scheduler scheduler = new Scheduler(config().maxBatchedTokens(64).build(), new KvCacheBlocks(4, 4), metrics);
        Sequence a = seq(0, 4, 0);
        Sequence b = seq(1, 8, 0);
        Sequence c = seq(2, 4, 0);
        scheduler.addWaiting(a);
        scheduler.addWaiting(b);
        scheduler.addWaiting(c);
        // a takes 1 block; b takes 2 and leaves 1 for a; c would leave none for a and b
        assertThat(scheduler.schedule().sequences).containsExactly(a, b);
        assertThat(scheduler.waitingCount()).isEqualTo(1);
    }
}
