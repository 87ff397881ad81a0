package chatcache.chat;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Access decisions a server remembers for {@value #REMEMBER_MILLIS} ms, by chat and caller (0:
 * anonymous), so that a page read does not pay a round trip to Redis (or MySQL) for them: one
 * round trip was a fifth of a latest page's cost (BENCHMARKS.md, run I). why this long only: a
 * membership change made through another server must hold everywhere within a second (issue #11);
 * changes this server makes or copies forget the chat's entries at once. Only chats that exist are
 * remembered (a chat made elsewhere is found at once). The time is the JVM's monotonic clock: this
 * bounds real staleness, whatever clock the service runs on.
 */
final class RememberedAccess {
    static final long REMEMBER_MILLIS = 500;
    private static final int MAX_CHATS = 100_000;

    private record Entry(Access access, long untilNanos) {
    }

    private final Map<Long, Map<Long, Entry>> byChat = new ConcurrentHashMap<>();

    Optional<Access> get(long chatId, long userId) {
        Map<Long, Entry> users = byChat.get(chatId);
        Entry e = users == null ? null : users.get(userId);
        if (e == null || e.untilNanos - System.nanoTime() < 0) {
            return Optional.empty();
        }
        return Optional.of(e.access);
    }

    void put(Access access, long userId) {
        if (byChat.size() >= MAX_CHATS) {
            byChat.clear();
        }
        byChat.computeIfAbsent(access.chatId(), c -> new ConcurrentHashMap<>())
                .put(userId, new Entry(access, System.nanoTime() + REMEMBER_MILLIS * 1_000_000));
    }

    /** Forgets what was remembered of this chat (it changed, here or in a copy this server made). */
    void forget(long chatId) {
        byChat.remove(chatId);
    }

    void forgetAll() {
        byChat.clear();
    }
}
