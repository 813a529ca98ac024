package ai.sluice.engine;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.PriorityQueue;

/** Requests waiting for admission, in the order of the scheduling policy. */
sealed interface WaitingQueue {

    /** A new arrival. */
    void add(Sequence s);

    /** A preempted request: it goes ahead of arrivals of its rank. */
    void addPreempted(Sequence s);

    Sequence peek();

    Sequence poll();

    boolean remove(Sequence s);

    int size();

    default boolean isEmpty() {
        return size() == 0;
    }

    static WaitingQueue of(SchedulingPolicy policy) {
        return switch (policy) {
            case FCFS -> new Fifo();
            case PRIORITY -> new ByPriority();
        };
    }

    /** Arrival order; preempted requests go back to the front. */
    final class Fifo implements WaitingQueue {
        private final ArrayDeque<Sequence> queue = new ArrayDeque<>();

        @Override
        public void add(Sequence s) {
            queue.addLast(s);
        }

        @Override
        public void addPreempted(Sequence s) {
            queue.addFirst(s);
        }

        @Override
        public Sequence peek() {
            return queue.peekFirst();
        }

        @Override
        public Sequence poll() {
            return queue.pollFirst();
        }

        @Override
        public boolean remove(Sequence s) {
            return queue.remove(s);
        }

        @Override
        public int size() {
            return queue.size();
        }
    }

    /** Lower priority value first, then arrival order (a preempted request keeps its rank). */
    final class ByPriority implements WaitingQueue {
        static final Comparator<Sequence> ORDER =
                Comparator.<Sequence>comparingInt(s -> s.request.priority()).thenComparingLong(s -> s.arrival);
        private final PriorityQueue<Sequence> queue = new PriorityQueue<>(ORDER);

        @Override
        public void add(Sequence s) {
            queue.add(s);
        }

        @Override
        public void addPreempted(Sequence s) {
            queue.add(s);
        }

        @Override
        public Sequence peek() {
            return queue.peek();
        }

        @Override
        public Sequence poll() {
            return queue.poll();
        }

        @Override
        public boolean remove(Sequence s) {
            return queue.remove(s);
        }

        @Override
        public int size() {
            return queue.size();
        }
    }
}
