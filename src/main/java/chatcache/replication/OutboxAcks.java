package chatcache.replication;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Outbox entries whose change Redis has received from the request that made it. The cache relay
 * deletes them in batches; an entry never acknowledged (the request failed or the program died)
 * is re-sent by the relay instead.
 */
public final class OutboxAcks {
    private final ConcurrentLinkedQueue<Long> acknowledged = new ConcurrentLinkedQueue<>();

    public void ack(long outboxId) {
        acknowledged.add(outboxId);
    }

    public void ackAll(Collection<Long> outboxIds) {
        acknowledged.addAll(outboxIds);
    }

    /** Up to {@code max} acknowledged entries, removed from here. */
    public List<Long> take(int max) {
        List<Long> taken = new ArrayList<>();
        Long id;
        while (taken.size() < max && (id = acknowledged.poll()) != null) {
            taken.add(id);
        }
        return taken;
    }
}
