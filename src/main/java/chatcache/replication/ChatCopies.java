package chatcache.replication;

import chatcache.logging.ExceptionText;
import chatcache.chat.Chat;
import chatcache.chat.ChatReplica;
import chatcache.chat.ChatStore;
import chatcache.chat.CopyChatToCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * Keeps Redis's copy of chats and members in step with MySQL: after each change (by the request
 * that made it), for outbox rows the request could not finish (the relay), and whole (rebuild,
 * verify). A copy is always the chat as MySQL holds it after the change, with its version, and
 * Redis keeps only the newest version, so copies racing each other end at MySQL's state.
 */
public final class ChatCopies implements CopyChatToCache {
    private static final Logger log = LoggerFactory.getLogger(ChatCopies.class);
    private static final int BATCH = 500;

    private final ChatStore store;
    private final ChatReplica replica;
    private final OutboxAcks acks;
    private final ChatLoad load;

    /** @param load loads the (empty, or nearly) window of a chat new to Redis, so that it is held */
    ChatCopies(ChatStore store, ChatReplica replica, OutboxAcks acks, ChatLoad load) {
        this.store = store;
        this.replica = replica;
        this.acks = acks;
        this.load = load;
    }

    /**
     * Copies the chats, and holds the messages of those new to Redis. why a load and not just the
     * mark: a post may have committed between the chat's commit and now, and skipped Redis,
     * which held nothing of the chat yet; the load finds it in MySQL.
     */
    private void put(List<Chat> chats) {
        for (long created : replica.put(chats)) {
            load.load(created, n -> { }, null, loaded -> { }); // a chat another loads is left to it
        }
    }

    /** The Redis half of a committed change; when it fails, the outbox relay does it later. */
    @Override
    public void changed(ChatStore.Changed change) {
        if (change.outboxId() == 0) {
            return;
        }
        try {
            long began = System.nanoTime();
            put(List.of(change.chat()));
            acks.ack(change.outboxId(), began);
        } catch (RuntimeException e) {
            log.warn("change to chat {} is in MySQL; its Redis copy waits in the outbox: {}", change.chat().id(), ExceptionText.summary(e));
        }
    }

    /** Copies these chats as MySQL holds them now (the relay's work), removing copies of chats MySQL lacks. */
    public void copy(Collection<Long> chatIds) {
        if (chatIds.isEmpty()) {
            return;
        }
        List<Chat> present = store.load(chatIds);
        put(present);
        Set<Long> gone = new HashSet<>(chatIds);
        present.forEach(c -> gone.remove(c.id()));
        if (!gone.isEmpty()) {
            replica.remove(gone);
        }
    }

    /** The id of every chat MySQL holds. */
    public List<Long> ids() {
        List<Long> all = new ArrayList<>();
        long after = 0;
        List<Long> ids;
        while (!(ids = store.ids(after, BATCH)).isEmpty()) {
            all.addAll(ids);
            after = ids.get(ids.size() - 1);
        }
        return all;
    }

    /** Copies every chat; returns how many. */
    public long copyAll(LongConsumer progress) {
        long after = 0;
        long copied = 0;
        List<Long> ids;
        while (!(ids = store.ids(after, BATCH)).isEmpty()) {
            copy(ids);
            after = ids.get(ids.size() - 1);
            copied += ids.size();
            progress.accept(copied);
        }
        return copied;
    }

    /** Differences between the stores' chats (one chat, or all), as lines a person can read. */
    public List<String> verify(Optional<Long> chatId) {
        List<String> drift = new ArrayList<>();
        Set<Long> inMysql = new HashSet<>();
        if (chatId.isPresent()) {
            compare(List.of(chatId.get()), drift, inMysql);
            return drift;
        }
        long after = 0;
        List<Long> ids;
        while (!(ids = store.ids(after, BATCH)).isEmpty()) {
            compare(ids, drift, inMysql);
            after = ids.get(ids.size() - 1);
        }
        Set<Long> extra = new HashSet<>(replica.ids());
        extra.removeAll(inMysql);
        if (!extra.isEmpty()) {
            drift.add("Redis holds chats MySQL does not have: " + new java.util.TreeSet<>(extra));
        }
        return drift;
    }

    private void compare(List<Long> ids, List<String> drift, Set<Long> inMysql) {
        Map<Long, Chat> cached = replica.peek(ids);
        Map<Long, Chat> stored = new java.util.HashMap<>();
        store.load(ids).forEach(c -> stored.put(c.id(), c));
        for (long id : ids) {
            Chat want = stored.get(id);
            Chat have = cached.get(id);
            if (want != null) {
                inMysql.add(id);
            }
            if (want == null && have != null) {
                drift.add("chat " + id + ": Redis holds it, MySQL does not");
            } else if (want != null && have == null) {
                drift.add("chat " + id + ": missing from Redis");
            } else if (want != null && !want.equals(have)) {
                drift.add("chat " + id + " differs: MySQL " + want + ", Redis " + have);
            }
        }
        replica.unlisted(stored.values()).forEach(m -> drift.add("Redis's chat set lacks " + m));
    }
}
