package ai.sluice.engine;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.Queue;

/**
 * Requests waiting for admission, in the order of the scheduling policy: arrival order (FCFS), or
 * lower priority value first and then arrival order (PRIORITY).
 */
final class WaitingQueue {
    /** Lower priority value first, then arrival order (a preempted request keeps its rank). */
    static final Comparator<Sequence> PRIORITY_ORDER =
            Comparator.<Sequence>comparingInt(s -> s.request.priority()).thenComparingLong(s -> s.arrival);

    private final Queue<Sequence> queue;

    private WaitingQueue(Queue<Sequence> queue) {
        this.queue = queue;
    }

    static WaitingQueue of(SchedulingPolicy policy) {
        return new WaitingQueue(switch (policy) {
            case FCFS -> new ArrayDeque<>();
            case PRIORITY -> new PriorityQueue<>(PRIORITY_ORDER);
        });
    }

    /** A new arrival. */
    void add(Sequence s) {
        queue.add(s);
    }

    /**
     * A preempted request: it goes ahead of arrivals of its rank. Under FCFS that is the front;
     * under PRIORITY its arrival time already ranks it ahead of later arrivals.
     */
    void addPreempted(Sequence s) {
        if (queue instanceof ArrayDeque<Sequence> fifo) {
            fifo.addFirst(s);
        } else {
            queue.add(s);
        }
    }

    Sequence peek() {
        return queue.peek();
    }

    Sequence poll() {
        return queue.poll();
    }

    boolean remove(Sequence s) {
        return queue.remove(s);
    }

    int size() {
        return queue.size();
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }
}
