package chatcache.replication;

import chatcache.background.Repeater;
import chatcache.message.MessageCache;
import chatcache.message.MessageStore;

import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Makes every change committed to MySQL reach Redis. The request that made the change copies it
 * at once and reports the outbox entry as done; done entries are deleted in batches. Entries that
 * stay longer than the grace (2 s by default; Redis was down, or the program died after the commit)
 * are re-sent from MySQL's current state. Re-sending is idempotent, so a crash at any point
 * costs at most one extra copy.
 */
public final class CacheRelay implements AutoCloseable {
    private static final int BATCH = 500;

    private final MessageStore store;
    private final MessageCache cache;
    private final Clock clock;
    /** How long the request path gets to copy a change itself before the relay does it. */
    private final long graceMillis;
    private final OutboxAcks acks;
    private final CacheSync sync;
    private final java.util.function.Consumer<Set<Long>> copyChats;
    private final Repeater worker;
    private final RelayBatches batches;
    /** Returns once Redis's copies so far are on enough replicas; throws (Redis unavailable) if they are not. */
    private final Runnable replicated;

    /**
     * @param copyChats copies chats (with members) from MySQL to Redis, for the outbox rows that name chats
     * @param replicated returns once every copy Redis made so far is on enough of its replicas
     *                   (ReplicaWait), or throws: an outbox entry is deleted only then, so that a
     *                   replica promoted without a copy gets it again from the entry
     * @param batches   told the size of each batch re-sent
     */
    public CacheRelay(MessageStore store, MessageCache cache, OutboxAcks acks, Clock clock, long pauseMillis, long graceMillis,
                      java.util.function.Consumer<Set<Long>> copyChats, Runnable replicated, RelayBatches batches) {
        this.replicated = replicated;
        this.store = store;
        this.batches = batches;
        this.copyChats = copyChats;
        this.cache = cache;
        this.acks = acks;
        this.clock = clock;
        this.graceMillis = graceMillis;
        this.sync = new CacheSync(store, cache);
        this.worker = new Repeater("cache-relay", () -> relay(clock.millis() - graceMillis), pauseMillis);
    }

    public void start() {
        worker.start();
    }

    /** Re-sends every waiting change now, whatever its age; returns how many entries it cleared. */
    public synchronized int drain() {
        int cleared = 0;
        int n;
        while ((n = relay(Long.MAX_VALUE)) > 0) {
            cleared += n;
        }
        return cleared;
    }

    /**
     * Deletes the entries requests acknowledged and re-sends those older than the grace, until
     * none is left: what a stopping instance does so that others need not (entries of requests
     * that failed to copy less than the grace ago stay for the relays of every instance).
     */
    public synchronized void flush() {
        while (relay(clock.millis() - graceMillis) > 0) {
            // each round is one batch
        }
    }

    /**
     * Deletes acknowledged entries, then re-sends up to one batch committed before {@code upTo}
     * that no other instance is re-sending (each instance runs this relay; they share the work).
     */
    private synchronized int relay(long upTo) {
        List<Long> finished = acks.take(10 * BATCH);
        try {
            if (!finished.isEmpty()) {
                replicated.run();
            }
            store.clearOutbox(finished);
        } catch (RuntimeException e) {
            acks.ackAll(finished); // try again next time
            throw e;
        }
        int resent = store.relayOutbox(upTo, BATCH, stale -> {
            Set<Long> ids = stale.stream().filter(e -> !e.isChat()).map(MessageStore.OutboxEntry::messageId).collect(Collectors.toSet());
            Set<Long> chats = stale.stream().filter(MessageStore.OutboxEntry::isChat).map(MessageStore.OutboxEntry::chatId).collect(Collectors.toSet());
            // a change whose message no longer exists was a delete (or was followed by one)
            if (!ids.isEmpty()) {
                sync.copy(ids);
            }
            if (!chats.isEmpty()) {
                copyChats.accept(chats);
            }
            replicated.run(); // why before the entries go: see the constructor
        });
        if (resent > 0) {
            batches.outbox(resent);
        }
        return finished.size() + resent;
    }

    @Override
    public void close() {
        worker.close();
    }
}
