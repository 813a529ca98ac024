package ai.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The scheduler's edges: the last free blocks, cache hits at block boundaries, who is preempted and when. */
class SchedulerCornerCasesTest {
    private static final int BLOCK = 4;
    private final EngineMetrics metrics = new EngineMetrics(new DrainRate(10, 0));

    private static Sequence seq(long arrival, int[] prompt, int priority) {
        GenerationRequest r = GenerationRequest.builder("r" + arrival, prompt).maxTokens(100).priority(priority)
                .build();
        return new Sequence(arrival, r, null, 100, BLOCK, 0);
    }

    private static int[] tokens(int from, int length) {
        int[] t = new int[length];
        for (int i = 0; i < length; i++) {
            t[i] = from + i;
        }
        return t;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static EngineConfig.Builder config() {
        return EngineConfig.builder().blockSize(BLOCK).maxNumSeqs(4).maxBatchedTokens(64);
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

    /** Runs {@code s} alone through its prompt and a few decodes, then removes it (its full blocks stay cached). */
    private static void runToCompletion(Scheduler scheduler, Sequence s, int steps) {
        scheduler.addWaiting(s);
        for (int i = 0; i < steps; i++) {
            run(scheduler, scheduler.schedule());
        }
        scheduler.remove(s);
    }

    @Test
    void aPromptNeedingExactlyTheLastFreeBlocksIsAdmitted() {
        KvCacheBlocks pool = new KvCacheBlocks(4, BLOCK);
        Scheduler scheduler = new Scheduler(config().build(), pool, metrics);
        Sequence s = seq(0, tokens(1, 16), 0);
        scheduler.addWaiting(s);
        StepPlan plan = scheduler.schedule();
        assertThat(plan.sequences).containsExactly(s);
        assertThat(plan.count(0)).isEqualTo(16);
        assertThat(s.blocks()).isEqualTo(4);
        assertThat(pool.freeBlocks()).isZero();
        assertThat(plan.samples(0)).isTrue();
    }

    @Test
    void aPromptNeedingOneBlockMoreThanFreeWaits() {
        KvCacheBlocks pool = new KvCacheBlocks(4, BLOCK);
        Scheduler scheduler = new Scheduler(config().build(), pool, metrics);
        Sequence running = seq(0, tokens(1, 2), 0);
        scheduler.addWaiting(running);
        run(scheduler, scheduler.schedule());
        // 3 blocks free, one must stay for `running`: a 9-token prompt (3 blocks) waits, an 8-token one (2) fits
        Sequence tooBig = seq(1, tokens(100, 9), 0);
        scheduler.addWaiting(tooBig);
        StepPlan plan = scheduler.schedule();
        assertThat(plan.sequences).containsExactly(running);
        assertThat(tooBig.blocks()).as("a refused admission keeps no block").isZero();
        assertThat(pool.freeBlocks()).isEqualTo(3);
        scheduler.remove(tooBig);
        Sequence fits = seq(2, tokens(200, 8), 0);
        scheduler.addWaiting(fits);
        run(scheduler, plan);
        assertThat(scheduler.schedule().sequences).containsExactly(running, fits);
    }

    @Test
    void aFullyCachedBlockAlignedPromptStillComputesItsLastBlock() {
        KvCacheBlocks pool = new KvCacheBlocks(16, BLOCK);
        Scheduler scheduler = new Scheduler(config().build(), pool, metrics);
        int[] prompt = tokens(1, 8);
        runToCompletion(scheduler, seq(0, prompt, 0), 3);
        assertThat(pool.cachedBlocks()).isEqualTo(2);

        Sequence again = seq(1, prompt, 0);
        scheduler.addWaiting(again);
        StepPlan plan = scheduler.schedule();
        // both blocks are cached, but the last token must run to give logits: the last block is recomputed
        assertThat(plan.sequences).containsExactly(again);
        assertThat(plan.count(0)).isEqualTo(4);
        assertThat(again.computed).isEqualTo(4);
        assertThat(plan.samples(0)).isTrue();
        assertThat(metrics.prefixCacheHits()).isEqualTo(4);
        assertThat(metrics.prefixCacheQueries()).isEqualTo(8 + 8);
    }

    @Test
    void aFullyCachedPromptOneTokenPastABlockComputesOnlyThatToken() {
        KvCacheBlocks pool = new KvCacheBlocks(16, BLOCK);
        Scheduler scheduler = new Scheduler(config().build(), pool, metrics);
        int[] prompt = tokens(1, 9);
        runToCompletion(scheduler, seq(0, prompt, 0), 3);
        Sequence again = seq(1, prompt, 0);
        scheduler.addWaiting(again);
        StepPlan plan = scheduler.schedule();
        assertThat(plan.count(0)).isEqualTo(1);
        assertThat(again.computed).isEqualTo(8);
        assertThat(again.hashedBlocks).isEqualTo(2);
        assertThat(metrics.prefixCacheHits()).isEqualTo(8);
    }

    @Test
    void blocksComputedAfterAPrefixHitChainToTheCachedPrefix() {
        KvCacheBlocks pool = new KvCacheBlocks(32, BLOCK);
        Scheduler scheduler = new Scheduler(config().build(), pool, metrics);
        int[] head = tokens(1, 4);
        // the first request caches block 0; the second hits it, then computes and registers block 1
        runToCompletion(scheduler, seq(0, concat(head, tokens(50, 2)), 0), 3);
        runToCompletion(scheduler, seq(1, concat(head, tokens(60, 6)), 0), 3);
        long hitsBefore = metrics.prefixCacheHits();
        // a third extending the second's two blocks must find both: block 1's hash chains to block 0's
        Sequence third = seq(2, concat(head, concat(tokens(60, 4), tokens(90, 3))), 0);
        scheduler.addWaiting(third);
        StepPlan plan = scheduler.schedule();
        assertThat(metrics.prefixCacheHits() - hitsBefore).isEqualTo(8);
        assertThat(third.computed).isEqualTo(8);
        assertThat(plan.count(0)).isEqualTo(3);
        // and what it registers chains on: block 1's hash is the chain over block 0's
        long h0 = KvCacheBlocks.chain(0, third.tokens(), 0, BLOCK);
        assertThat(third.blockHash(0)).isEqualTo(h0);
        assertThat(third.blockHash(1)).isEqualTo(KvCacheBlocks.chain(h0, third.tokens(), BLOCK, BLOCK));
    }

    @Test
    void aPreemptedRequestResumesAheadOfLaterArrivals() {
        KvCacheBlocks pool = new KvCacheBlocks(4, BLOCK);
        Scheduler scheduler = new Scheduler(config().prefixCaching(false).build(), pool, metrics);
        Sequence older = seq(0, tokens(1, 4), 0);
        Sequence newer = seq(1, tokens(20, 4), 0);
        scheduler.addWaiting(older);
        scheduler.addWaiting(newer);
        for (int step = 0; step < 5; step++) {
            run(scheduler, scheduler.schedule());
        }
        run(scheduler, scheduler.schedule()); // preempts `newer`
        assertThat(newer.state).isEqualTo(Sequence.State.WAITING);
        Sequence later = seq(2, tokens(40, 4), 0);
        scheduler.addWaiting(later);
        scheduler.remove(older);
        // newer takes 3 of the 4 blocks; later then finds no headroom: had it gone first, newer would wait
        StepPlan plan = scheduler.schedule();
        assertThat(plan.sequences).containsExactly(newer);
        assertThat(plan.count(0)).as("recomputes prompt and output").isEqualTo(newer.length());
        assertThat(scheduler.waitingCount()).isEqualTo(1);
    }

    @Test
    void priorityPreemptsTheLeastUrgentEvenWhenItIsOlder() {
        KvCacheBlocks pool = new KvCacheBlocks(4, BLOCK);
        Scheduler scheduler = new Scheduler(config().schedulingPolicy(SchedulingPolicy.PRIORITY).build(), pool,
                metrics);
        Sequence relaxed = seq(0, tokens(1, 4), 5);
        scheduler.addWaiting(relaxed);
        run(scheduler, scheduler.schedule());
        Sequence urgent = seq(1, tokens(20, 4), 0);
        scheduler.addWaiting(urgent);
        for (int step = 0; step < 10 && metrics.preemptions() == 0; step++) {
            run(scheduler, scheduler.schedule());
        }
        assertThat(metrics.preemptions()).isEqualTo(1);
        assertThat(relaxed.state).isEqualTo(Sequence.State.WAITING);
        assertThat(relaxed.blocks()).isZero();
        assertThat(urgent.state).isEqualTo(Sequence.State.RUNNING);
        assertThat(scheduler.runningCount()).isEqualTo(1);
    }

    @Test
    void priorityPreemptsTheNewestAmongEquals() {
        KvCacheBlocks pool = new KvCacheBlocks(4, BLOCK);
        Scheduler scheduler = new Scheduler(config().schedulingPolicy(SchedulingPolicy.PRIORITY).build(), pool,
                metrics);
        Sequence first = seq(0, tokens(1, 4), 3);
        Sequence second = seq(1, tokens(20, 4), 3);
        scheduler.addWaiting(first);
        scheduler.addWaiting(second);
        for (int step = 0; step < 10 && metrics.preemptions() == 0; step++) {
            run(scheduler, scheduler.schedule());
        }
        assertThat(metrics.preemptions()).isEqualTo(1);
        assertThat(second.state).isEqualTo(Sequence.State.WAITING);
        assertThat(first.state).isEqualTo(Sequence.State.RUNNING);
    }

    @Test
    void preemptingASequenceAlreadyPlannedThisStepTakesItOutOfThePlan() {
        KvCacheBlocks pool = new KvCacheBlocks(5, BLOCK);
        Scheduler scheduler = new Scheduler(config().maxBatchedTokens(10).schedulingPolicy(SchedulingPolicy.PRIORITY)
                .build(), pool, metrics);
        Sequence decoder = seq(0, tokens(1, 3), 9);
        Sequence prefiller = seq(1, tokens(20, 20), 0);
        scheduler.addWaiting(decoder);
        run(scheduler, scheduler.schedule());
        scheduler.addWaiting(prefiller);
        StepPlan plan = scheduler.schedule();
        assertThat(plan.sequences).containsExactly(decoder, prefiller);
        assertThat(plan.count(1)).isEqualTo(9);
        run(scheduler, plan);
        // the decode is planned first (taking the last free block); the prefill chunk then needs 2
        // more: the less urgent decoder, already planned, is preempted and leaves the plan
        plan = scheduler.schedule();
        assertThat(plan.sequences).containsExactly(prefiller);
        assertThat(plan.count(0)).isEqualTo(9);
        assertThat(plan.tokens()).isEqualTo(9);
        assertThat(decoder.state).isEqualTo(Sequence.State.WAITING);
        assertThat(decoder.blocks()).isZero();
        assertThat(prefiller.blocks()).isEqualTo(5);
        assertThat(scheduler.waitingCount()).isEqualTo(1);
    }

    @Test
    void aSequenceThatMustPreemptItselfLeavesThePlanAndTheOthersGoOn() {
        KvCacheBlocks pool = new KvCacheBlocks(4, BLOCK);
        Scheduler scheduler = new Scheduler(config().schedulingPolicy(SchedulingPolicy.PRIORITY).build(), pool,
                metrics);
        Sequence urgent = seq(0, tokens(1, 8), 0);
        Sequence relaxed = seq(1, tokens(20, 4), 9);
        scheduler.addWaiting(urgent);
        scheduler.addWaiting(relaxed);
        run(scheduler, scheduler.schedule());
        // relaxed (4 computed + 1) and urgent (8 + 1) both need a new block; 1 is free: urgent takes it,
        // then relaxed must preempt itself, the least urgent, and the step runs urgent alone
        StepPlan plan = scheduler.schedule();
        assertThat(plan.sequences).containsExactly(urgent);
        assertThat(relaxed.state).isEqualTo(Sequence.State.WAITING);
        assertThat(metrics.preemptions()).isEqualTo(1);
        assertThat(scheduler.hasWork()).isTrue();
    }

    @Test
    void removingAWaitingOrRunningSequenceReturnsItsBlocks() {
        KvCacheBlocks pool = new KvCacheBlocks(8, BLOCK);
        Scheduler scheduler = new Scheduler(config().prefixCaching(false).build(), pool, metrics);
        Sequence a = seq(0, tokens(1, 8), 0);
        Sequence b = seq(1, tokens(20, 4), 0);
        scheduler.addWaiting(a);
        scheduler.addWaiting(b);
        run(scheduler, scheduler.schedule());
        assertThat(pool.freeBlocks()).isEqualTo(5);
        assertThat(pool.cachedBlocks()).as("no prefix caching").isZero();
        scheduler.remove(a);
        assertThat(pool.freeBlocks()).isEqualTo(7);
        assertThat(a.blocks()).isZero();
        assertThat(scheduler.runningCount()).isEqualTo(1);
        Sequence c = seq(2, tokens(30, 4), 0);
        scheduler.addWaiting(c);
        scheduler.remove(c);
        assertThat(scheduler.waitingCount()).isZero();
        assertThat(scheduler.all()).containsExactly(b);
        assertThat(scheduler.kvUsage()).isEqualTo(1.0 / 8);
    }

    @Test
    void withoutPrefixCachingAnIdenticalPromptIsComputedAgain() {
        KvCacheBlocks pool = new KvCacheBlocks(16, BLOCK);
        Scheduler scheduler = new Scheduler(config().prefixCaching(false).build(), pool, metrics);
        int[] prompt = tokens(1, 9);
        runToCompletion(scheduler, seq(0, prompt, 0), 3);
        Sequence again = seq(1, prompt, 0);
        scheduler.addWaiting(again);
        assertThat(scheduler.schedule().count(0)).isEqualTo(9);
        assertThat(metrics.prefixCacheQueries()).isZero();
    }

    @Test
    void aStepNeverExceedsTheTokenBudgetOrTheSequenceLimit() {
        KvCacheBlocks pool = new KvCacheBlocks(64, BLOCK);
        Scheduler scheduler = new Scheduler(config().maxNumSeqs(3).maxBatchedTokens(7).build(), pool, metrics);
        for (int i = 0; i < 6; i++) {
            scheduler.addWaiting(seq(i, tokens(10 * i + 1, 2 + i), 0));
        }
        for (int step = 0; step < 12; step++) {
            StepPlan plan = scheduler.schedule();
            assertThat(plan.tokens()).isLessThanOrEqualTo(7);
            assertThat(plan.size()).isLessThanOrEqualTo(3);
            int sum = 0;
            for (int i = 0; i < plan.size(); i++) {
                sum += plan.count(i);
                assertThat(plan.count(i)).isPositive();
            }
            assertThat(plan.tokens()).isEqualTo(sum);
            run(scheduler, plan);
        }
        assertThat(scheduler.runningCount()).isEqualTo(3);
    }
}
