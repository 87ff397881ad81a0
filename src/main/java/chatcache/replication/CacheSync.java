package chatcache.replication;

import chatcache.core.BackendUnavailableException;
import chatcache.core.Message;
import chatcache.message.MessageCache;
import chatcache.message.MessageStore;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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

    /**
     * Copies these messages' current state from MySQL (and removes those that are gone).
     *
     * @param chats each message's chat, by id (0: not known, as in outbox rows written before
     *              rows named their chat): a message gone from MySQL is removed from its chat's keys
     */
    void copy(Map<Long, Long> chats) {
        List<Message> present = store.load(chats.keySet());
        cache.putAll(present);
        removeGone(chats, present);
        settle(chats, present);
    }

    /** The same, for messages of one chat. */
    void settle(long chatId, List<Message> written) {
        Map<Long, Long> chats = new HashMap<>();
        written.forEach(m -> chats.put(m.id(), chatId));
        settle(chats, written);
    }

    /**
     * @param chats   each message's chat, by id (see {@link #copy})
     * @param written what was just written to Redis for these ids (absent ids were removed)
     */
    void settle(Map<Long, Long> chats, List<Message> written) {
        List<Message> expected = written;
        for (int round = 0; round < ROUNDS; round++) {
            List<Message> now = store.load(chats.keySet());
            if (sameContent(now, expected)) {
                return;
            }
            cache.putAll(now);
            removeGone(chats, now);
            expected = now;
        }
        throw new BackendUnavailableException(chats.size() + " messages kept changing while being copied to Redis", null);
    }

    private void removeGone(Map<Long, Long> chats, List<Message> present) {
        Set<Long> left = new HashSet<>();
        present.forEach(m -> left.add(m.id()));
        Map<Long, List<Long>> gone = new TreeMap<>();
        chats.forEach((id, chat) -> {
            if (!left.contains(id)) {
                gone.computeIfAbsent(chat, c -> new ArrayList<>()).add(id);
            }
        });
        gone.forEach((chat, ids) -> {
            if (chat == 0) {
                cache.removeAnywhere(ids);
            } else {
                cache.removeAll(chat, ids);
            }
        });
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
