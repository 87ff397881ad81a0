package chatcache.replication;

import chatcache.core.BackendUnavailableException;
import chatcache.core.Message;
import chatcache.message.MessageCache;
import chatcache.message.MessageStore;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Makes Redis hold what MySQL holds for some messages after a write to Redis, also when another
 * change overtook that write: an edit committed later but copied earlier, or a delete whose DEL
 * ran before a late copy of the message. Every change commits in MySQL before it is copied, so
 * reading MySQL again after our copy and repairing what differs converges on MySQL's state.
 */
final class CacheSync {
    private static final int ROUNDS = 5;

    private final MessageStore store;
    private final MessageCache cache;

    CacheSync(MessageStore store, MessageCache cache) {
        this.store = store;
        this.cache = cache;
    }

    /** Copies these messages' current state from MySQL (and removes those that are gone). */
    void copy(Collection<Long> ids) {
        List<Message> present = store.load(ids);
        cache.putAll(present);
        removeGone(ids, present);
        settle(ids, present);
    }

    /**
     * @param written what was just written to Redis for these ids (absent ids were removed)
     */
    void settle(Collection<Long> ids, List<Message> written) {
        List<Message> expected = written;
        for (int round = 0; round < ROUNDS; round++) {
            List<Message> now = store.load(ids);
            if (sameContent(now, expected)) {
                return;
            }
            cache.putAll(now);
            removeGone(ids, now);
            expected = now;
        }
        throw new BackendUnavailableException(ids.size() + " messages kept changing while being copied to Redis", null);
    }

    private void removeGone(Collection<Long> ids, List<Message> present) {
        Set<Long> gone = new HashSet<>(ids);
        present.forEach(m -> gone.remove(m.id()));
        if (!gone.isEmpty()) {
            cache.removeAll(gone);
        }
    }

    /**
     * Whether {@code now} (MySQL) holds what {@code written} (Redis) got: the same content, and no
     * read mark MySQL has that the copy lacks. why marks too: a mark made on the MySQL path while
     * a chat was being loaded found no hash to copy itself to; read marks only ever go from unread
     * to read, so a copy that lacks one is written again (one Redis has and MySQL lacks is on its
     * way through the read-mark stream).
     */
    private static boolean sameContent(List<Message> now, List<Message> written) {
        if (now.size() != written.size()) {
            return false;
        }
        java.util.Map<Long, Message> copied = new java.util.HashMap<>();
        written.forEach(m -> copied.put(Objects.requireNonNull(m).id(), m));
        for (Message m : now) {
            Message c = copied.get(m.id());
            if (c == null || !c.withRead(false).equals(m.withRead(false)) || (m.read() && !c.read())) {
                return false;
            }
        }
        return true;
    }
}
