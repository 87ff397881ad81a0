package chatcache.redis;

import chatcache.core.Message;
import chatcache.events.ChatEvents;
import chatcache.query.MessageOrder;
import chatcache.rediskit.CommandQueue;
import chatcache.rediskit.LuaScript;
import chatcache.rediskit.Redis;
import chatcache.rediskit.Transactions;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.SetParams;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes and removals of messages: each hash with its chat's event, its entries in the order
 * indexes, and (1.x) its index entry; removals leave a tombstone for a while.
 */
final class MessageWrites {
    /** How long a deleted message's tombstone keeps late copies out. */
    private static final long TOMBSTONE_SECONDS = 600;
    /** Writes a message's hash and appends its event (schema/lua/message-write.lua). */
    private static final LuaScript WRITE = EventAppend.script("message-write", MessageHash.luaNames(),
            LuaScript.resource("byte-order"));
    /** Messages trimmed from a chat's window per message written to it: one more than each adds, so it converges. */
    private static final int TRIMS_PER_WRITE = 2;
    /** Deletes a message's hash and appends its event if it was there (schema/lua/message-delete.lua). */
    private static final LuaScript DELETE = EventAppend.script("message-delete");

    // why constant texts for errors: a write builds them every time, and the error needs no more
    private static final String CACHE = "cache messages";
    private static final String REMOVE = "remove messages";

    private final Redis redis;
    private final ChatGroups groups;
    private final SearchIndex index;
    private final OrderIndex order;
    /** The ARGV that the scripts pass on to append_event (see {@link EventAppend}). */
    private final List<String> eventArgs;
    /** How many of each chat's newest messages Redis holds; 0: all. */
    private final int window;

    MessageWrites(Redis redis, ChatGroups groups, SearchIndex index, OrderIndex order, List<String> eventArgs, int window) {
        if (window < 0) {
            throw new IllegalArgumentException("the window must not be negative: " + window);
        }
        this.redis = redis;
        this.groups = groups;
        this.index = index;
        this.order = order;
        this.eventArgs = eventArgs;
        this.window = window;
    }

    /**
     * One MULTI/EXEC writes the hash, indexes it (1.x) and adds its sort key to the chat's and the
     * author's order index, so that a reader never sees one without the others; the hash's script
     * appends the chat's event in the same step.
     */
    void put(List<Message> messages) {
        if (messages.isEmpty()) {
            return;
        }
        // why a transaction per group: its keys must lie in one slot on a Redis Cluster (a group's)
        eachGroup(messages, (jedis, keys, inGroup) -> put(jedis, keys, inGroup));
    }

    private void put(Jedis jedis, KeySpace keys, List<Message> messages) {
        String[] tombstones = messages.stream().map(m -> keys.deleted(m.id())).toArray(String[]::new);
        AtomicReference<List<Message>> written = new AtomicReference<>(List.of());
        boolean done = Transactions.run(jedis, CACHE, j -> {
            // why: a delete that overtook a copy left a tombstone; writing now would bring it back
            j.watch(tombstones);
            List<Message> alive = j.exists(tombstones) == 0 ? messages : withoutTombstone(j, keys, messages);
            written.set(alive);
            return alive.isEmpty() ? null : tx -> writeAll(tx, alive);
        });
        if (done) {
            indexOutsideTransaction(jedis, written.get());
        }
    }

    private static List<Message> withoutTombstone(Jedis jedis, KeySpace keys, List<Message> messages) {
        Pipeline p = jedis.pipelined();
        List<Response<Boolean>> deleted = messages.stream().map(m -> p.exists(keys.deleted(m.id()))).toList();
        p.sync();
        List<Message> alive = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            if (!deleted.get(i).get()) {
                alive.add(messages.get(i));
            }
        }
        return alive;
    }

    /**
     * Caches many messages in one MULTI/EXEC with the same commands as {@link #put} (Jedis sends a
     * transaction as one pipeline): the bulk path for loading, with the layout of single writes.
     * Callers keep batches to about a thousand messages, since Redis runs one EXEC without pause.
     */
    void putAll(List<Message> messages) {
        if (messages.isEmpty()) {
            return;
        }
        eachGroup(messages, (jedis, keys, inGroup) -> {
            Transactions.run(jedis, CACHE, j -> tx -> writeAll(tx, inGroup));
            indexOutsideTransaction(jedis, inGroup);
        });
    }

    private interface GroupWrite {
        void write(Jedis jedis, KeySpace keys, List<Message> inGroup);
    }

    /** The write for each group's part of the messages, on a connection that reaches the group. */
    private void eachGroup(List<Message> messages, GroupWrite write) {
        groups.eachOwner(redis, messages, Message::chatId, CACHE, (jedis, parts) -> {
            parts.forEach(part -> write.write(jedis, part.getKey(), part.getValue()));
            return null;
        });
    }

    /**
     * RediSearch 1.x indexes a hash when told (FT.ADDHASH), and must be told outside MULTI/EXEC:
     * measured here with 1.2, FT.ADDHASH ... REPLACE of the same hashes in transactions of several
     * connections at once corrupts the index (20,000 hashes re-indexed by three connections in
     * MULTIs of 1,000: a TAG query then found 12,000, and INKEYS missed 15,536), while the same
     * commands sent plainly leave it exact. So a write is two steps: the data in one MULTI/EXEC
     * (hash, order indexes, read-mark stream), then the index, pipelined. Between the two a
     * reader may see the hash before the index does: an unfiltered page then disagrees with the
     * order index and is read again, a filtered one is checked against its filters (see
     * {@link IndexSearch#search}). A crash between the two leaves the write unacknowledged (the
     * outbox or the read-mark stream sends it again), and {@code cache verify} reports what the
     * index lacks. An FT.ADDHASH of a hash deleted meanwhile answers an error, which is what
     * should happen.
     */
    private void indexOutsideTransaction(Jedis jedis, List<Message> messages) {
        if (!index.indexesExplicitly() || messages.isEmpty()) {
            return;
        }
        Pipeline p = jedis.pipelined();
        for (Message m : messages) {
            KeySpace keys = groups.of(m.chatId());
            p.sendCommand(SearchCommand.ADDHASH, keys.index(), keys.message(m.id()), "1.0", "REPLACE");
        }
        // why not checked: each reply is OK, or an error for a hash deleted since the EXEC
        p.syncAndReturnAll();
    }

    /**
     * The commands that write these messages, then trim each chat they were written to back to its
     * window ({@value #TRIMS_PER_WRITE} per message at most: bounded work per post).
     */
    private void writeAll(CommandQueue tx, List<Message> messages) {
        messages.forEach(m -> writeHash(tx, m));
        // why one call per list with all its keys: the order index shifts the counts of the buckets
        // above a key once per call; a load adds each batch below every key already there, and a
        // call per key made loading a whole chat quadratic (30,000 messages: 57 s, now ~3 s)
        Map<String, List<String>> keysByList = new LinkedHashMap<>();
        Map<String, Long> chatOfList = new HashMap<>();
        for (Message m : messages) {
            String sortKey = MessageOrder.sortKey(m.createdAt(), m.id());
            KeySpace keys = groups.of(m.chatId());
            for (String list : List.of(keys.order(m.chatId()), keys.order(m.chatId(), m.userId()))) {
                keysByList.computeIfAbsent(list, l -> new ArrayList<>()).add(sortKey);
                chatOfList.put(list, m.chatId());
            }
        }
        keysByList.forEach((list, keys) -> {
            long chat = chatOfList.get(list);
            order.addHeld(tx, groups.of(chat), chat, list, keys.toArray(String[]::new));
        });
        if (window > 0) {
            Map<Long, Integer> perChat = new HashMap<>();
            messages.forEach(m -> perChat.merge(m.chatId(), 1, Integer::sum));
            perChat.forEach((chat, n) -> {
                KeySpace keys = groups.of(chat);
                OrderIndex.trim(tx, keys, chat, window, TRIMS_PER_WRITE * n, index.indexesExplicitly() ? keys.index() : "");
            });
        }
    }

    /**
     * The command that writes one message's hash and its event (never unmarking a read); its order
     * index entries follow in the same EXEC ({@link #writeAll}; the index after it), each only
     * while Redis holds the chat and the message is at or above its boundary (the scripts check
     * it, in the same EXEC: all or nothing). why the hashes' script first: should it be missing
     * (NOSCRIPT), nothing of the messages is written by it, and the repeated transaction appends
     * the events.
     */
    private void writeHash(CommandQueue tx, Message message) {
        KeySpace space = groups.of(message.chatId());
        String sortKey = MessageOrder.sortKey(message.createdAt(), message.id());
        List<String> keys = new ArrayList<>(List.of(space.message(message.id()), space.events(message.chatId())));
        keys.addAll(EventAppend.guardKeys(space));
        keys.add(space.held(message.chatId()));
        keys.add(space.belowEpoch(message.chatId()));
        List<String> args = new ArrayList<>(eventArgs);
        args.add(Long.toString(message.id()));
        args.add(message.read() ? "1" : "0");
        args.add(sortKey);
        MessageHash.fields(message).forEach((field, value) -> {
            args.add(field);
            args.add(value);
        });
        tx.script(WRITE, keys, args);
    }

    /**
     * Removes the hashes, index entries and order-index entries, and leaves a tombstone for a while
     * so that a copy of the same message still on its way (its post overtaken by this delete) is
     * not written after it. why WATCH: the order-index entries are found through the hash; a copy
     * landing between that read and the EXEC aborts it, and the removal is tried again.
     */
    void removeAll(long chatId, Collection<Long> ids) {
        removeAll(groups.of(chatId), ids);
    }

    /** {@link #removeAll} in every group: for messages whose chat is not known. */
    void removeAnywhere(Collection<Long> ids) {
        groups.all().forEach(space -> removeAll(space, ids));
    }

    private void removeAll(KeySpace space, Collection<Long> ids) {
        if (ids.isEmpty()) {
            return;
        }
        String[] keys = ids.stream().map(space::message).toArray(String[]::new);
        // why kept across attempts: an attempt whose delete script Redis did not know still
        // removed the order-index entries, and the next one must still find the hash they came from
        Map<Long, Message> cached = new HashMap<>();
        redis.run(space.route(), REMOVE, jedis -> Transactions.run(jedis, REMOVE, j -> {
            j.watch(keys);
            cached.putAll(MessageHash.readAll(j, space, ids));
            return tx -> ids.forEach(id -> remove(tx, space, id, cached.get(id)));
        }));
    }

    /** Queues the removal of one message ({@code m} as Redis held it, or null for none or a partial hash). */
    private void remove(CommandQueue tx, KeySpace space, long id, Message m) {
        String key = space.message(id);
        if (m != null) {
            String sortKey = MessageOrder.sortKey(m.createdAt(), m.id());
            order.remove(tx, space.order(m.chatId()), sortKey);
            order.remove(tx, space.order(m.chatId(), m.userId()), sortKey);
        }
        if (index.indexesExplicitly()) {
            tx.send(SearchCommand.DEL, space.index(), key);
        }
        if (m != null) {
            deleteWithEvent(tx, space, m);
        } else {
            tx.del(key); // a partial hash, or none: no message, no event
        }
        tx.set(space.deleted(id), "1", SetParams.setParams().ex(TOMBSTONE_SECONDS));
    }

    /**
     * Queues the DEL of a message's hash, which appends message.deleted only if it removed the
     * hash: WATCH makes this attempt's EXEC fail if the hash changed since it was read, and a
     * repeated removal (a retry, the relay, settle) finds nothing and appends nothing.
     */
    private void deleteWithEvent(CommandQueue tx, KeySpace space, Message m) {
        List<String> keys = new ArrayList<>(List.of(space.message(m.id()), space.events(m.chatId())));
        keys.addAll(EventAppend.guardKeys(space));
        List<String> args = new ArrayList<>(eventArgs);
        args.add(Long.toString(m.id()));
        args.add(Long.toString(m.chatId()));
        tx.script(DELETE, keys, args);
    }
}
