package chatcache.message;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Posts of concurrent requests stored together: one MySQL transaction (multi-row INSERTs of the
 * messages and their outbox rows, one commit) and one Redis transaction per batch, instead of
 * one of each per message.
 *
 * <p>why: per message, a commit with its redo-log flush and the round trips of two stores cost
 * far more than the rows themselves. No thread of its own: a request queues its post and takes
 * the lock; whoever holds it stores everything queued so far, so that while one batch commits
 * the next one gathers, and a post alone waits for nobody.
 */
final class GroupCommit {
    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);
    /** Most posts stored in one transaction. */
    static final int MAX_BATCH = 200;

    private final MessageStore primary;
    private final MessageCache cache;
    private final OutboxAcks acks;
    private final MessageService.AfterCommit afterCommit;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final ReentrantLock lock = new ReentrantLock();

    GroupCommit(MessageStore primary, MessageCache cache, OutboxAcks acks, MessageService.AfterCommit afterCommit) {
        this.primary = primary;
        this.cache = cache;
        this.acks = acks;
        this.afterCommit = afterCommit;
    }

    private record Pending(MessageStore.Draft draft, CompletableFuture<Message> done) {
    }

    /**
     * Stores the message in MySQL with its outbox row, then caches it; returns once it is
     * committed (and, unless Redis failed, cached). Throws what storing it threw.
     */
    Message post(MessageStore.Draft draft) {
        Pending mine = new Pending(draft, new CompletableFuture<>());
        queue.add(mine);
        while (!mine.done().isDone()) {
            lock.lock();
            try {
                if (!mine.done().isDone()) {
                    storeQueued();
                }
            } finally {
                lock.unlock();
            }
        }
        try {
            return mine.done().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Stores one batch of what is queued; every post of the batch is done when this returns. */
    private void storeQueued() {
        List<Pending> batch = new ArrayList<>();
        Pending next;
        while (batch.size() < MAX_BATCH && (next = queue.poll()) != null) {
            batch.add(next);
        }
        if (batch.isEmpty()) {
            return;
        }
        try {
            List<Stored> stored = primary.insertAll(batch.stream().map(Pending::draft).toList());
            List<Stored> committed = new ArrayList<>(stored.size());
            for (int i = 0; i < stored.size(); i++) {
                try {
                    afterCommit.committed(stored.get(i).message());
                    committed.add(stored.get(i));
                } catch (RuntimeException | Error e) {
                    batch.get(i).done().completeExceptionally(e);
                }
            }
            copyToCache(committed);
            for (int i = 0; i < stored.size(); i++) {
                // those whose hook threw are done already; complete() leaves them as they are
                batch.get(i).done().complete(stored.get(i).message());
            }
        } catch (RuntimeException | Error e) {
            batch.forEach(p -> p.done().completeExceptionally(e));
        }
    }

    /** why no settle: a post can only be overtaken by a delete, and put() respects its tombstone. */
    private void copyToCache(List<Stored> committed) {
        if (committed.isEmpty()) {
            return;
        }
        try {
            cache.put(committed.stream().map(Stored::message).toList());
            acks.ackAll(committed.stream().map(Stored::outboxId).toList());
        } catch (RuntimeException e) {
            log.warn("{} new messages are in MySQL; their Redis copies wait in the outbox: {}", committed.size(), e.toString());
        }
    }
}
