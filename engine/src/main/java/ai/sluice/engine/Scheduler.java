package ai.sluice.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * Iteration-level scheduling over the paged KV cache. Each {@link #schedule()} plans one step
 * within {@code maxNumSeqs} sequences and {@code maxBatchedTokens} tokens: first one token for
 * every running sequence that is decoding, then chunks of running sequences still in prefill, then
 * new admissions from the waiting queue (each with a prefix-cache lookup), so a long prompt never
 * stalls the inter-token latency of the others.
 *
 * <p>Blocks are allocated as positions are scheduled. When they run out, the newest running
 * sequence (FCFS), or the least urgent one (priority), is preempted: its blocks are released
 * (full ones stay in the prefix cache) and it is requeued to be recomputed. Admission never
 * preempts. Engine thread only.
 */
final class Scheduler {
    private final KvCacheBlocks pool;
    private final EngineMetrics metrics;
    private final SchedulingPolicy policy;
    private final boolean prefixCaching;
    private final int maxNumSeqs;
    private final int maxBatchedTokens;
    private final int blockSize;
    private final WaitingQueue waiting;
    /** Running sequences in admission order. */
    private final List<Sequence> running = new ArrayList<>();
    private final StepPlan plan = new StepPlan();
    private boolean preemptedThisStep;

    Scheduler(EngineConfig config, KvCacheBlocks pool, EngineMetrics metrics) {
        this.pool = pool;
        this.metrics = metrics;
        this.policy = config.schedulingPolicy();
        this.prefixCaching = config.prefixCaching();
        this.maxNumSeqs = config.maxNumSeqs();
        this.maxBatchedTokens = config.maxBatchedTokens();
        this.blockSize = pool.blockSize();
        this.waiting = WaitingQueue.of(policy);
    }

    void addWaiting(Sequence s) {
        s.state = Sequence.State.WAITING;
        waiting.add(s);
    }

    int waitingCount() {
        return waiting.size();
    }

    int runningCount() {
        return running.size();
    }

    boolean hasWork() {
        return !running.isEmpty() || !waiting.isEmpty();
    }

    /** Plans the next step; the plan is reused, read it before the next call. */
    StepPlan schedule() {
        plan.clear();
        preemptedThisStep = false;
        int budget = maxBatchedTokens;
        budget = scheduleRunning(budget, true);
        budget = scheduleRunning(budget, false);
        if (!preemptedThisStep) {
            admit(budget);
        }
        return plan;
    }

    private int scheduleRunning(int budget, boolean decodes) {
        for (int i = 0; i < running.size() && budget > 0; i++) {
            Sequence s = running.get(i);
            int remaining = s.remaining();
            if ((remaining == 1) != decodes || plan.contains(s)) {
                continue;
            }
            int n = Math.min(remaining, budget);
            boolean preemptedSelf = false;
            while (!reserve(s, s.computed + n)) {
                Sequence victim = victim();
                int at = running.indexOf(victim);
                if (plan.contains(victim)) {
                    budget += plannedCount(victim);
                    plan.remove(victim);
                }
                preempt(victim);
                if (victim == s) {
                    preemptedSelf = true;
                    i--;
                    break;
                }
                if (at < i) {
                    i--;
                }
            }
            if (!preemptedSelf) {
                plan.add(s, n);
                budget -= n;
            }
        }
        return budget;
    }

    private int plannedCount(Sequence s) {
        for (int i = 0; i < plan.size(); i++) {
            if (plan.sequence(i) == s) {
                return plan.count(i);
            }
        }
        return 0;
    }

    private void admit(int budget) {
        while (budget > 0 && running.size() < maxNumSeqs && !waiting.isEmpty()) {
            Sequence s = waiting.peek();
            // an embedding pools the hidden state of every position, so none may come from the cache
            if (prefixCaching && s.blocks() == 0 && s.embedding == null) {
                lookupPrefix(s);
            }
            int n = Math.min(s.remaining(), budget);
            if (!hasHeadroom(s, s.computed + n) || !reserve(s, s.computed + n)) {
                releaseBlocks(s);
                s.clearBlocks();
                return;
            }
            waiting.poll();
            s.state = Sequence.State.RUNNING;
            running.add(s);
            plan.add(s, n);
            budget -= n;
        }
    }

    /**
     * Admission keeps one free block per running sequence after taking its own, so the running
     * ones can grow into their next block without an immediate preemption (which would throw away
     * the work of a whole prefill). With nothing running there is no one to protect: admit.
     */
    private boolean hasHeadroom(Sequence s, int upTo) {
        int needed = Math.max(0, Math.ceilDiv(upTo, blockSize) - s.blocks());
        return running.isEmpty() || pool.freeBlocks() - needed >= running.size();
    }

    /** Takes references to the cached blocks of the longest cached prefix (always leaving one token to compute). */
    private void lookupPrefix(Sequence s) {
        int[] tokens = s.tokens();
        int full = (s.length() - 1) / blockSize;
        long parent = 0;
        int hits = 0;
        for (int b = 0; b < full; b++) {
            long h = KvCacheBlocks.chain(parent, tokens, b * blockSize, blockSize);
            int block = pool.lookup(h, parent, tokens, b * blockSize);
            if (block == KvCacheBlocks.NO_BLOCK) {
                break;
            }
            s.addBlock(block);
            s.setBlockHash(b, h);
            parent = h;
            hits++;
        }
        s.hashedBlocks = hits;
        s.computed = hits * blockSize;
        if (!s.admittedOnce) {
            metrics.prefixCacheLookup(s.length(), hits * blockSize);
        }
    }

    /** Makes sure {@code s} has blocks for positions below {@code upTo}; false (nothing taken) when too few are free. */
    private boolean reserve(Sequence s, int upTo) {
        int needed = Math.ceilDiv(upTo, blockSize) - s.blocks();
        if (needed <= 0) {
            return true;
        }
        if (pool.freeBlocks() < needed) {
            return false;
        }
        for (int i = 0; i < needed; i++) {
            s.addBlock(pool.allocate());
        }
        return true;
    }

    /** The running sequence to give up first: the newest (FCFS) or the least urgent, newest among equals. */
    private Sequence victim() {
        if (policy == SchedulingPolicy.FCFS) {
            return running.getLast();
        }
        Sequence worst = running.getFirst();
        for (int i = 1; i < running.size(); i++) {
            Sequence s = running.get(i);
            if (WaitingQueue.PRIORITY_ORDER.compare(s, worst) > 0) {
                worst = s;
            }
        }
        return worst;
    }

    private void preempt(Sequence s) {
        running.remove(s);
        releaseBlocks(s);
        s.clearBlocks();
        s.state = Sequence.State.WAITING;
        waiting.addPreempted(s);
        metrics.preempted();
        preemptedThisStep = true;
    }

    /**
     * After the step ran: the planned tokens are computed; full blocks enter the prefix cache.
     */
    void commit(StepPlan done) {
        for (int i = 0; i < done.size(); i++) {
            Sequence s = done.sequence(i);
            if (s.isFinished()) {
                continue;
            }
            s.computed += done.count(i);
            if (prefixCaching) {
                registerFullBlocks(s);
            }
        }
    }

    private void registerFullBlocks(Sequence s) {
        int full = s.computed / blockSize;
        int[] tokens = s.tokens();
        while (s.hashedBlocks < full) {
            int b = s.hashedBlocks;
            long parent = b == 0 ? 0 : s.blockHash(b - 1);
            long h = KvCacheBlocks.chain(parent, tokens, b * blockSize, blockSize);
            pool.register(s.block(b), h, parent, tokens, b * blockSize);
            s.setBlockHash(b, h);
            s.hashedBlocks = b + 1;
        }
    }

    /** Takes {@code s} out of scheduling (finished, cancelled, failed) and releases its blocks. */
    void remove(Sequence s) {
        if (s.state == Sequence.State.RUNNING) {
            running.remove(s);
        } else if (s.state == Sequence.State.WAITING) {
            waiting.remove(s);
        }
        releaseBlocks(s);
        s.clearBlocks();
    }

    /** Every sequence still held (for shutdown). */
    List<Sequence> all() {
        List<Sequence> out = new ArrayList<>(running);
        while (!waiting.isEmpty()) {
            out.add(waiting.poll());
        }
        return out;
    }

    double kvUsage() {
        return pool.usage();
    }

    /** Releases from the last block to the first, so a sequence's tail blocks are evicted before its head. */
    private void releaseBlocks(Sequence s) {
        for (int b = s.blocks() - 1; b >= 0; b--) {
            pool.release(s.block(b));
        }
    }
}
