package chatcache.replication;

import chatcache.core.BackendUnavailableException;
import chatcache.background.Repeater;
import chatcache.message.MessageCache;
import chatcache.message.MessageStore;

import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(CacheRelay.class);
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
    private final Replicas replicas;
    /** The primary of the last confirmation, and when it began (nanoTime): see {@link #confirmed}. */
    private String lastPrimary;
    private long lastConfirmBegan;

    /**
     * Redis's replicas, as the relay needs them: before an outbox entry is deleted, the copy it
     * stands for must be on enough replicas of the primary it was written to.
     */
    public interface Replicas {
        /** None to wait for (one Redis): every copy Redis took is as safe as Redis. */
        Replicas NONE = new Replicas() {
            @Override
            public boolean waits() {
                return false;
            }

            @Override
            public String primary() {
                return "";
            }

            @Override
            public String confirm() {
                return "";
            }
        };

        boolean waits();

        /** The id of the primary writes go to now (its replication id); throws when there is none. */
        String primary();

        /**
         * Returns once every write made on the primary so far is on enough of its replicas, with
         * the primary's id; throws (Redis unavailable) when they are not.
         */
        String confirm();
    }

    /**
     * @param copyChats copies chats (with members) from MySQL to Redis, for the outbox rows that name chats
     * @param replicas  Redis's replicas: an outbox entry is deleted only once its copy is on enough
     *                  of them, so that a replica promoted without a copy gets it again from the entry
     * @param batches   told the size of each batch re-sent
     */
    public CacheRelay(MessageStore store, MessageCache cache, OutboxAcks acks, Clock clock, long pauseMillis, long graceMillis,
                      java.util.function.Consumer<Set<Long>> copyChats, Replicas replicas, RelayBatches batches) {
        this.replicas = replicas;
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
        List<OutboxAcks.Ack> taken = acks.take(10 * BATCH);
        try {
            store.clearOutbox(replicas.waits() ? confirmed(taken) : taken.stream().map(OutboxAcks.Ack::outboxId).toList());
        } catch (RuntimeException e) {
            acks.putBack(taken); // try again next time
            throw e;
        }
        int resent = store.relayOutbox(upTo, BATCH, stale -> {
            String primary = replicas.primary();
            Map<Long, Long> messages = new HashMap<>();
            stale.stream().filter(e -> !e.isChat()).forEach(e -> messages.merge(e.messageId(), e.chatId(), Math::max));
            Set<Long> chats = stale.stream().filter(MessageStore.OutboxEntry::isChat).map(MessageStore.OutboxEntry::chatId).collect(Collectors.toSet());
            // a change whose message no longer exists was a delete (or was followed by one)
            if (!messages.isEmpty()) {
                sync.copy(messages);
            }
            if (!chats.isEmpty()) {
                copyChats.accept(chats);
            }
            // why before the entries go: see the constructor; the same primary before and
            // after, or the copies may have gone to one that is not the one confirmed
            if (!replicas.confirm().equals(primary)) {
                throw new BackendUnavailableException(BackendUnavailableException.Reason.DISAGREEMENT,
                        "Redis's primary changed while the relay copied " + stale.size() + " outbox entries", null);
            }
        });
        if (resent > 0) {
            batches.outbox(resent);
        }
        return taken.size() + resent;
    }

    /**
     * The acknowledged entries whose copies a confirmation covers: those whose write began after
     * the previous confirmation, on the same primary (same replication id). The others are left
     * in the outbox (not deleted), to be copied again after the grace: written before the previous
     * confirmation, a copy may have gone to a primary that was replaced since.
     */
    private List<Long> confirmed(List<OutboxAcks.Ack> taken) {
        if (taken.isEmpty()) {
            return List.of();
        }
        long began = System.nanoTime();
        String primary = replicas.confirm();
        boolean samePrimary = primary.equals(lastPrimary);
        List<Long> covered = new java.util.ArrayList<>(taken.size());
        for (OutboxAcks.Ack ack : taken) {
            if (samePrimary && ack.beganNanos() - lastConfirmBegan > 0) {
                covered.add(ack.outboxId());
            }
        }
        if (covered.size() < taken.size()) {
            log.info("{} outbox entries copied before Redis's primary was last confirmed are left to be copied again",
                    taken.size() - covered.size());
        }
        lastPrimary = primary;
        lastConfirmBegan = began;
        return covered;
    }

    @Override
    public void close() {
        worker.close();
    }
}
