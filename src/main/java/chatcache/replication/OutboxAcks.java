package chatcache.replication;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Outbox entries whose change Redis has received from the request that made it. The cache relay
 * deletes them in batches; an entry never acknowledged (the request failed or the program died)
 * is re-sent by the relay instead. Each carries when its Redis write began, so that with replicas
 * the relay deletes only entries written on the primary it then confirms ({@link CacheRelay}).
 */
public final class OutboxAcks {
    /** An outbox entry, and the {@link System#nanoTime} at which the write that copied it began. */
    public record Ack(long outboxId, long beganNanos) {
    }

    private final ConcurrentLinkedQueue<Ack> acknowledged = new ConcurrentLinkedQueue<>();

    public void ack(long outboxId, long beganNanos) {
        acknowledged.add(new Ack(outboxId, beganNanos));
    }

    public void ackAll(Collection<Long> outboxIds, long beganNanos) {
        outboxIds.forEach(id -> ack(id, beganNanos));
    }

    /** Puts taken entries back, as they were (their deletion failed). */
    void putBack(Collection<Ack> acks) {
        acknowledged.addAll(acks);
    }

    /** Up to {@code max} acknowledged entries, removed from here. */
    public List<Ack> take(int max) {
        List<Ack> taken = new ArrayList<>();
        Ack ack;
        while (taken.size() < max && (ack = acknowledged.poll()) != null) {
            taken.add(ack);
        }
        return taken;
    }
}
