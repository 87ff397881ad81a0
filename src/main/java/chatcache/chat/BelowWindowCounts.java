package chatcache.chat;

import chatcache.core.BackendUnavailableException;
import chatcache.query.OrderKey;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * MySQL's part of members' unread counts: the messages by others above a marker that lies below
 * the window Redis holds of a chat, up to its boundary. Counted by MySQL once (a range count, as
 * long as the range: 2.5 s at 500,000 messages under load, BENCHMARKS run R) and then kept in this
 * server's memory, per chat and member. A later request moves a kept count instead of counting
 * again: by what a trim moved below the boundary since (the messages from the old boundary up to
 * the new, a range as long as the posts since), and by what a marker moved forward passed (as long
 * as what the member read). Counted again whole when a delete happened in the chat (MySQL's
 * {@code chat_deletions}), a write Redis skipped below the boundary moved the chat's below-epoch
 * (a post older than the window, an edit there), the boundary moved down (a load under a larger
 * window) or the marker moved back. Requests that need the same whole count while it runs wait
 * for it (32 clients of one member counted the same 500,000 rows 32 times at once), and whole
 * counts run a few at a time.
 */
final class BelowWindowCounts {
    private static final int MAX_CHATS = 100_000;
    private static final int MAX_MEMBERS_PER_CHAT = 10_000;

    /** A count of the messages by others above {@code marker} (null: all) and below {@code below}. */
    private record Counted(OrderKey marker, OrderKey below, long epoch, long deletions, long count) {
    }

    /** What a whole count counts: requests that ask the same while one counts wait for its answer. */
    private record Asked(long chatId, long userId, OrderKey marker, OrderKey below, long epoch, long deletions) {
    }

    private final ChatStore store;
    private final Map<Long, Map<Long, Counted>> byChat = new ConcurrentHashMap<>();
    private final Map<Asked, CompletableFuture<Long>> counting = new ConcurrentHashMap<>();
    private final AtomicLong wholeCounts = new AtomicLong();
    /**
     * why bounded: 32 whole counts at once held every MySQL connection for seconds, and the relays
     * and the token sync found none (BENCHMARKS run R); a count beyond these waits, or fails as
     * MySQL unavailable after {@code waitMillis}.
     */
    private final Semaphore wholeAtOnce;
    private final long waitMillis;

    /**
     * @param wholeAtOnce whole counts this server runs at once (the rest wait)
     * @param waitMillis  how long a count waits for its turn before it fails
     */
    BelowWindowCounts(ChatStore store, int wholeAtOnce, long waitMillis) {
        this.store = store;
        this.wholeAtOnce = new Semaphore(Math.max(1, wholeAtOnce), true);
        this.waitMillis = waitMillis;
    }

    /**
     * The messages of the chat by others above the marker (null: from the first) and below
     * {@code below}, the chat's boundary; {@code epoch} and {@code deletions} as read for this request.
     */
    long count(long chatId, long userId, OrderKey marker, OrderKey below, long epoch, long deletions) {
        Map<Long, Counted> members = byChat.get(chatId);
        Counted kept = members == null ? null : members.get(userId);
        long count;
        if (kept != null && kept.epoch == epoch && kept.deletions == deletions && below.compareTo(kept.below) >= 0
                && markerFrom(kept, marker)) {
            count = kept.count;
            if (!Objects.equals(kept.marker, marker)) {
                // the marker moved forward, below the old boundary: what it passed is no longer unread
                count -= store.unreadBelow(chatId, userId, kept.marker, justAbove(marker));
            }
            if (below.compareTo(kept.below) > 0) {
                // a trim moved these below the boundary: from the old boundary (itself included) up
                count += store.unreadBelow(chatId, userId, justBelow(kept.below), below);
            }
            keep(chatId, userId, new Counted(marker, below, epoch, deletions, count));
            return count;
        }
        return whole(new Asked(chatId, userId, marker, below, epoch, deletions));
    }

    /** A whole count, once for all the requests asking the same meanwhile, at most {@code wholeAtOnce} at a time. */
    private long whole(Asked asked) {
        CompletableFuture<Long> mine = new CompletableFuture<>();
        CompletableFuture<Long> running = counting.putIfAbsent(asked, mine);
        if (running != null) {
            return join(running);
        }
        try {
            Map<Long, Counted> members = byChat.get(asked.chatId);
            Counted kept = members == null ? null : members.get(asked.userId);
            if (kept != null && kept.equals(new Counted(asked.marker, asked.below, asked.epoch, asked.deletions, kept.count))) {
                mine.complete(kept.count); // counted by a request that finished between this one's look and now
                return kept.count;
            }
            long count = countWhole(asked);
            // why kept before the count stops running: a request between the two would count again
            keep(asked.chatId, asked.userId, new Counted(asked.marker, asked.below, asked.epoch, asked.deletions, count));
            mine.complete(count);
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
        } finally {
            counting.remove(asked, mine);
        }
        return join(mine);
    }

    private long countWhole(Asked a) {
        try {
            if (!wholeAtOnce.tryAcquire(waitMillis, TimeUnit.MILLISECONDS)) {
                throw new BackendUnavailableException(BackendUnavailableException.Reason.TIMEOUT,
                        "MySQL could not count unread messages: too many counts waiting", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendUnavailableException(BackendUnavailableException.Reason.TIMEOUT, "interrupted", e);
        }
        try {
            wholeCounts.incrementAndGet();
            return store.unreadBelow(a.chatId, a.userId, a.marker, a.below);
        } finally {
            wholeAtOnce.release();
        }
    }

    private static long join(CompletableFuture<Long> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** Whether a count kept at {@code kept}'s marker can move to {@code marker}: the same, or forward below the old boundary. */
    private static boolean markerFrom(Counted kept, OrderKey marker) {
        if (Objects.equals(kept.marker, marker)) {
            return true;
        }
        return kept.marker != null && marker != null && marker.compareTo(kept.marker) > 0 && marker.compareTo(kept.below) < 0;
    }

    /** The place just above {@code k}: nothing lies between them (ids are whole numbers). */
    private static OrderKey justAbove(OrderKey k) {
        return new OrderKey(k.createdAt(), k.id() + 1);
    }

    /** The place just below {@code k}. */
    private static OrderKey justBelow(OrderKey k) {
        return new OrderKey(k.createdAt(), k.id() - 1);
    }

    private void keep(long chatId, long userId, Counted counted) {
        if (byChat.size() >= MAX_CHATS) {
            byChat.clear();
        }
        Map<Long, Counted> members = byChat.computeIfAbsent(chatId, c -> new ConcurrentHashMap<>());
        if (members.size() >= MAX_MEMBERS_PER_CHAT) {
            members.clear();
        }
        members.put(userId, counted);
    }

    /** Counts made whole (by MySQL from the marker up) since start: for tests and the README's figures. */
    long wholeCounts() {
        return wholeCounts.get();
    }
}
