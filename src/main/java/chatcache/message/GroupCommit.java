package chatcache.message;

import chatcache.core.Message;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Posts of concurrent requests stored together: one MySQL transaction (multi-row INSERTs of the
 * messages and their outbox rows, one commit) and one Redis transaction per batch, instead of
 * one of each per message.
 *
 * <p>why: per message, a commit with its redo-log flush and the round trips of two stores cost
 * far more than the rows themselves. No thread of its own: a request queues its post; if nobody
 * is storing, it leads: it stores everything queued so far as one batch, then hands the lead to
 * the thread of the oldest post queued meanwhile (or gives it up), so that while one batch
 * commits the next one gathers, a post alone waits for nobody, and no leader's own answer waits
 * for more than one batch. Every other request waits on its own post only. why not a lock that
 * every request takes in turn: measured here, 32 writers woke one after another through it after
 * each batch, most only to find their post stored; batches stayed at ~3 posts and the CPUs half
 * idle (BENCHMARKS.md, run F).
 */
final class GroupCommit {
    /** Most posts stored in one transaction. */
    static final int MAX_BATCH = 200;

    private final MessageStore primary;
    private final CopyToCache copies;
    private final MessageService.AfterCommit afterCommit;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    /** True while one thread holds the lead (stores a batch, then hands the lead on or drops it). */
    private final AtomicBoolean leading = new AtomicBoolean();

    GroupCommit(MessageStore primary, CopyToCache copies, MessageService.AfterCommit afterCommit) {
        this.primary = primary;
        this.copies = copies;
        this.afterCommit = afterCommit;
    }

    /** A queued post; {@code turn} completes when its thread is handed the lead. */
    private record Pending(MessageStore.Draft draft, CompletableFuture<Message> done, CompletableFuture<Void> turn) {
    }

    /**
     * Stores the message in MySQL with its outbox row, then caches it; returns once it is
     * committed (and, unless Redis failed, cached). Throws what storing it threw.
     */
    Message post(MessageStore.Draft draft) {
        Pending mine = new Pending(draft, new CompletableFuture<>(), new CompletableFuture<>());
        queue.add(mine);
        if (leading.compareAndSet(false, true)) {
            lead();
        }
        if (!mine.done().isDone()) {
            CompletableFuture.anyOf(mine.done(), mine.turn()).handle((r, e) -> null).join();
            if (!mine.done().isDone()) {
                // handed the lead: this post is the oldest queued, so the batch stores it
                lead();
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

    /**
     * Called holding the lead: stores one batch, then hands the lead to the oldest queued post's
     * thread, or gives it up when nothing is queued. why the second look after giving it up: a post
     * queued just before could have found the lead taken and be waiting for a turn.
     */
    private void lead() {
        storeQueued();
        while (true) {
            Pending next = queue.peek();
            if (next != null) {
                next.turn().complete(null);
                return;
            }
            leading.set(false);
            if (queue.isEmpty() || !leading.compareAndSet(false, true)) {
                return;
            }
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
            List<Optional<Stored>> stored = primary.insertAll(batch.stream().map(Pending::draft).toList());
            List<Stored> committed = new ArrayList<>(stored.size());
            for (int i = 0; i < stored.size(); i++) {
                if (stored.get(i).isEmpty()) {
                    batch.get(i).done().completeExceptionally(new ClaimTakenOverException());
                    continue;
                }
                try {
                    afterCommit.committed(stored.get(i).get().message());
                    committed.add(stored.get(i).get());
                } catch (RuntimeException | Error e) {
                    batch.get(i).done().completeExceptionally(e);
                }
            }
            copies.posted(committed);
            for (int i = 0; i < stored.size(); i++) {
                // those whose hook threw (or claim was lost) are done already; complete() leaves them as they are
                if (stored.get(i).isPresent()) {
                    batch.get(i).done().complete(stored.get(i).get().message());
                }
            }
        } catch (RuntimeException | Error e) {
            batch.forEach(p -> p.done().completeExceptionally(e));
        }
    }
}
