package chatcache.chat;

import chatcache.query.OrderKey;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Access decisions a server remembers for {@value #REMEMBER_MILLIS} ms, by chat and caller (0:
 * anonymous), so that a page read does not pay a round trip to Redis (or MySQL) for them: one
 * round trip was a fifth of a latest page's cost (BENCHMARKS.md, run I). why this long only: a
 * membership change made through another server must hold everywhere within a second (issue #11);
 * changes this server makes or copies forget the chat's entries at once. Only chats that exist are
 * remembered (a chat made elsewhere is found at once). The time is the JVM's monotonic clock: this
 * bounds real staleness, whatever clock the service runs on.
 *
 * <p>A decision is never renewed, only replaced by one looked up again; and one looked up while
 * the chat was forgotten is not kept ({@link #generation}), so a lookup that raced a change
 * cannot outlive it.
 */
final class RememberedAccess {
    static final long REMEMBER_MILLIS = 500;
    private static final int MAX_CHATS = 100_000;
    private static final int MAX_CALLERS_PER_CHAT = 10_000;

    private record Entry(Access access, long untilNanos) {
    }

    private final Map<Long, Map<Long, Entry>> byChat = new ConcurrentHashMap<>();
    private final AtomicLong forgotten = new AtomicLong();

    /** Read before a lookup; {@link #put} keeps its result only if nothing was forgotten meanwhile. */
    long generation() {
        return forgotten.get();
    }

    Optional<Access> get(long chatId, long userId) {
        Map<Long, Entry> users = byChat.get(chatId);
        Entry e = users == null ? null : users.get(userId);
        if (e == null || e.untilNanos - System.nanoTime() < 0) {
            return Optional.empty();
        }
        return Optional.of(e.access);
    }

    /** Remembers a decision looked up after {@link #generation} returned {@code since}. */
    void put(Access access, long userId, long since) {
        if (byChat.size() >= MAX_CHATS) {
            byChat.clear();
        }
        Map<Long, Entry> users = byChat.computeIfAbsent(access.chatId(), c -> new ConcurrentHashMap<>());
        if (users.size() >= MAX_CALLERS_PER_CHAT) {
            users.clear();
        }
        users.put(userId, new Entry(access, System.nanoTime() + REMEMBER_MILLIS * 1_000_000));
        if (forgotten.get() != since) {
            users.remove(userId); // a change came meanwhile: this lookup may predate it
        }
    }

    /** The caller's marker moved: a remembered decision keeps its expiry and gets the new marker. */
    void markerMoved(long chatId, long userId, OrderKey marker) {
        Map<Long, Entry> users = byChat.get(chatId);
        if (users != null) {
            users.computeIfPresent(userId, (u, e) -> new Entry(new Access(e.access.chatId(), e.access.visibility(),
                    e.access.role(), marker), e.untilNanos));
        }
    }

    /** Forgets what was remembered of this chat (it changed, here or in a copy this server made). */
    void forget(long chatId) {
        forgotten.incrementAndGet();
        byChat.remove(chatId);
    }

    void forgetAll() {
        forgotten.incrementAndGet();
        byChat.clear();
    }
}
