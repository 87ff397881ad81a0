package chatcache.chat;

import chatcache.query.OrderKey;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
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
 * window) or the marker moved back.
 */
final class BelowWindowCounts {
    private static final int MAX_CHATS = 100_000;
    private static final int MAX_MEMBERS_PER_CHAT = 10_000;

    /** A count of the messages by others above {@code marker} (null: all) and below {@code below}. */
    private record Counted(OrderKey marker, OrderKey below, long epoch, long deletions, long count) {
    }

    private final ChatStore store;
    private final Map<Long, Map<Long, Counted>> byChat = new ConcurrentHashMap<>();
    private final AtomicLong wholeCounts = new AtomicLong();

    BelowWindowCounts(ChatStore store) {
        this.store = store;
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
        } else {
            wholeCounts.incrementAndGet();
            count = store.unreadBelow(chatId, userId, marker, below);
        }
        keep(chatId, userId, new Counted(marker, below, epoch, deletions, count));
        return count;
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
