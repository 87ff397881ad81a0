package chatcache.redis;

import chatcache.core.BackendUnavailableException;
import chatcache.core.Message;
import chatcache.events.ChatEvents;
import chatcache.events.EventRetention;
import chatcache.message.CacheIncompleteException;
import chatcache.message.Explain;
import chatcache.message.MessageBackend;
import chatcache.message.MessageCache;
import chatcache.message.ReadMarkReplica;
import chatcache.query.Filter;
import chatcache.query.MessageField;
import chatcache.query.MessageOrder;
import chatcache.query.OrderKey;
import chatcache.query.Slice;
import chatcache.query.Words;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.util.SafeEncoder;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/** Messages as Redis hashes indexed by idx:messages: the cache, and the read path of everyone but API clients. */
public final class RedisMessages implements MessageCache, MessageBackend, ReadMarkReplica {
    /** How long a deleted message's tombstone keeps late copies out. */
    private static final long TOMBSTONE_SECONDS = 600;
    private final JedisPool pool;
    private final SearchIndex index;
    private final OrderIndex order;
    /** The ARGV that the scripts pass on to append_event (see {@link EventAppend}). */
    private final List<String> eventArgs;

    /**
     * @param events how much of each chat's event stream the writes here keep when they append
     */
    public RedisMessages(JedisPool pool, SearchIndex index, OrderIndex order, EventRetention events) {
        this.pool = pool;
        this.index = index;
        this.order = order;
        this.eventArgs = EventAppend.args(events);
    }

    @Override
    public String name() {
        return "redis";
    }

    /**
     * One MULTI/EXEC writes the hash, indexes it (1.x) and adds its sort key to the chat's and the
     * author's order index, so that a reader never sees one without the others; the hash's script
     * appends the chat's event in the same step (see {@link #WRITE}).
     */
    @Override
    public void put(List<Message> messages) {
        if (messages.isEmpty()) {
            return;
        }
        String[] tombstones = messages.stream().map(m -> tombstone(m.id())).toArray(String[]::new);
        try (Jedis jedis = pool.getResource()) {
            for (int attempt = 0; attempt < 5; attempt++) {
                // why: a delete that overtook a copy left a tombstone; writing now would bring it back
                jedis.watch(tombstones);
                List<Message> alive = jedis.exists(tombstones) == 0 ? messages : withoutTombstone(jedis, messages);
                if (alive.isEmpty()) {
                    jedis.unwatch();
                    return;
                }
                Transaction tx = jedis.multi();
                for (Message message : alive) {
                    write(tx, message);
                }
                List<Object> results = tx.exec();
                if (OrderIndex.scriptWasMissing(results)) {
                    // why: the writes are idempotent, so the whole transaction is simply repeated;
                    // a hash whose script was missing was not written, so its event comes now
                    loadScripts(jedis);
                    continue;
                }
                if (results != null) {
                    requireSuccess(results, "caching " + alive.size() + " messages");
                    indexOutsideTransaction(jedis, alive.stream().map(Message::id).toList());
                    return;
                }
            }
        } catch (JedisException e) {
            throw new BackendUnavailableException("Redis could not cache " + messages.size() + " messages: " + e.getMessage(), e);
        }
        throw new BackendUnavailableException(messages.size() + " messages kept changing while being cached", null);
    }

    private static List<Message> withoutTombstone(Jedis jedis, List<Message> messages) {
        Pipeline p = jedis.pipelined();
        List<Response<Boolean>> deleted = messages.stream().map(m -> p.exists(tombstone(m.id()))).toList();
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
    @Override
    public void putAll(List<Message> messages) {
        if (messages.isEmpty()) {
            return;
        }
        try (Jedis jedis = pool.getResource()) {
            for (int attempt = 0; ; attempt++) {
                Transaction tx = jedis.multi();
                for (Message message : messages) {
                    write(tx, message);
                }
                List<Object> results = tx.exec();
                if (attempt == 0 && OrderIndex.scriptWasMissing(results)) {
                    loadScripts(jedis);
                    continue;
                }
                requireSuccess(results, "caching " + messages.size() + " messages");
                indexOutsideTransaction(jedis, messages.stream().map(Message::id).toList());
                return;
            }
        } catch (JedisException e) {
            throw new BackendUnavailableException("Redis could not cache " + messages.size() + " messages: " + e.getMessage(), e);
        }
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
     * {@link #search}). A crash between the two leaves the write unacknowledged (the outbox or the
     * read-mark stream sends it again), and {@code cache verify} reports what the index lacks.
     * An FT.ADDHASH of a hash deleted meanwhile answers an error, which is what should happen.
     */
    private void indexOutsideTransaction(Jedis jedis, List<Long> ids) {
        if (!index.indexesExplicitly() || ids.isEmpty()) {
            return;
        }
        Pipeline p = jedis.pipelined();
        for (long id : ids) {
            p.sendCommand(SearchCommand.ADDHASH, SearchIndex.NAME, MessageHash.key(id), "1.0", "REPLACE");
        }
        // why not checked: each reply is OK, or an error for a hash deleted since the EXEC
        p.syncAndReturnAll();
    }

    /**
     * The commands that write one message: hash and its event (never unmarking a read), order
     * index (index: after the EXEC). why the hash's script first: should it be missing (NOSCRIPT),
     * nothing of the message is written by it, and the repeated transaction appends the event.
     */
    private void write(Transaction tx, Message message) {
        String key = MessageHash.key(message.id());
        String sortKey = MessageOrder.sortKey(message.createdAt(), message.id());
        List<String> keys = new ArrayList<>(List.of(key, ChatEvents.key(message.chatId())));
        keys.addAll(EventAppend.guardKeys());
        List<String> args = new ArrayList<>(eventArgs);
        args.add(Long.toString(message.id()));
        args.add(message.read() ? "1" : "0");
        MessageHash.fields(message).forEach((field, value) -> {
            args.add(field);
            args.add(value);
        });
        tx.evalsha(WRITE_SHA, keys, args);
        order.add(tx, OrderIndex.chatList(message.chatId()), sortKey);
        order.add(tx, OrderIndex.authorList(message.chatId(), message.userId()), sortKey);
    }

    /**
     * Removes the hashes, index entries and order-index entries, and leaves a tombstone for a while
     * so that a copy of the same message still on its way (its post overtaken by this delete) is
     * not written after it. why WATCH: the order-index entries are found through the hash; a copy
     * landing between that read and the EXEC aborts it, and the removal is tried again.
     */
    @Override
    public void removeAll(Collection<Long> ids) {
        if (ids.isEmpty()) {
            return;
        }
        String[] keys = ids.stream().map(MessageHash::key).toArray(String[]::new);
        // why kept across attempts: an attempt whose script Redis did not know still deleted the
        // hashes, and the next one must still find the order-index entries they pointed to
        Map<Long, Message> cached = new HashMap<>();
        try (Jedis jedis = pool.getResource()) {
            for (int attempt = 0; attempt < 5; attempt++) {
                jedis.watch(keys);
                cached.putAll(getAll(jedis, ids));
                Transaction tx = jedis.multi();
                for (long id : ids) {
                    String key = MessageHash.key(id);
                    Message m = cached.get(id);
                    if (m != null) {
                        String sortKey = MessageOrder.sortKey(m.createdAt(), m.id());
                        order.remove(tx, OrderIndex.chatList(m.chatId()), sortKey);
                        order.remove(tx, OrderIndex.authorList(m.chatId(), m.userId()), sortKey);
                    }
                    if (index.indexesExplicitly()) {
                        tx.sendCommand(SearchCommand.DEL, SearchIndex.NAME, key);
                    }
                    if (m != null) {
                        deleteWithEvent(tx, m);
                    } else {
                        tx.del(key); // a partial hash, or none: no message, no event
                    }
                    tx.set(tombstone(id), "1", SetParams.setParams().ex(TOMBSTONE_SECONDS));
                }
                List<Object> results = tx.exec();
                if (OrderIndex.scriptWasMissing(results)) {
                    loadScripts(jedis);
                    continue;
                }
                if (results != null) {
                    requireSuccess(results, "removing " + ids.size() + " messages");
                    return;
                }
            }
        } catch (JedisException e) {
            throw new BackendUnavailableException("Redis could not remove messages: " + e.getMessage(), e);
        }
        throw new BackendUnavailableException(ids.size() + " messages kept changing while being removed", null);
    }

    /**
     * Queues the DEL of a message's hash, which appends message.deleted only if it removed the
     * hash: WATCH makes this attempt's EXEC fail if the hash changed since it was read, and a
     * repeated removal (a retry after NOSCRIPT, the relay, settle) finds nothing and appends
     * nothing. why EVAL, not EVALSHA: a NOSCRIPT here would let the rest of the transaction
     * delete the message without its event; deletes are rare, so the text is sent each time.
     */
    private void deleteWithEvent(Transaction tx, Message m) {
        List<String> keys = new ArrayList<>(List.of(MessageHash.key(m.id()), ChatEvents.key(m.chatId())));
        keys.addAll(EventAppend.guardKeys());
        List<String> args = new ArrayList<>(eventArgs);
        args.add(Long.toString(m.id()));
        args.add(Long.toString(m.chatId()));
        tx.eval(DELETE, keys, args);
    }

    /** The scripts that transactions here call by SHA (after a restart or SCRIPT FLUSH Redis knows none). */
    static void loadScripts(Jedis jedis) {
        OrderIndex.load(jedis);
        jedis.scriptLoad(WRITE);
    }

    /**
     * Writes a message's hash and appends its event: created if there was no message, edited if
     * its text or data differ, read if only its read flag went from 0 to 1, nothing if the write
     * changed nothing (the request's copy and the relay's copy of one post append one event).
     * KEYS: the hash, the chat's event stream, the guard keys; ARGV: max and retention, the id,
     * '1' to mark read (otherwise read is kept, or starts at 0: a copy never unmarks), then the
     * hash's fields and values. The entry carries the message as the hash holds it after the
     * write, not a pointer: the hash may change or go before a subscriber reads the entry.
     */
    private static final String WRITE = EventAppend.script(MessageHash.luaNames() + """
            local before = redis.call('HMGET', KEYS[1], H_TEXT, H_DATA, H_READ)
            redis.call('HSET', KEYS[1], unpack(ARGV, 5))
            if ARGV[4] == '1' then
              redis.call('HSET', KEYS[1], H_READ, '1')
            else
              redis.call('HSETNX', KEYS[1], H_READ, '0')
            end
            local after = redis.call('HMGET', KEYS[1], H_CHAT, H_USER, H_TEXT, H_CREATED, H_DATA, H_READ)
            local fields
            if not before[1] or before[1] ~= after[3] or before[2] ~= after[5] then
              fields = {EV_TYPE, before[1] and EV_EDITED or EV_CREATED, EV_ID, ARGV[3], EV_CHAT_ID, after[1],
                        EV_USER_ID, after[2], EV_MESSAGE, after[3], EV_CREATED_AT, after[4]}
              if after[5] then
                fields[#fields + 1] = EV_DATA
                fields[#fields + 1] = after[5]
              end
              fields[#fields + 1] = EV_READ_FLAG
              fields[#fields + 1] = after[6]
            elseif before[3] ~= '1' and after[6] == '1' then
              fields = {EV_TYPE, EV_READ, EV_IDS, ARGV[3]}
            else
              return 0
            end
            return append_event(KEYS[2], KEYS[3], KEYS[4], after[1], ARGV[1], ARGV[2], fields)
            """);
    private static final String WRITE_SHA = OrderIndex.sha1(WRITE);

    /** KEYS: the hash, the chat's event stream, the guard keys; ARGV: max and retention, the id, the chat. */
    private static final String DELETE = EventAppend.script("""
            if redis.call('DEL', KEYS[1]) == 0 then
              return 0
            end
            return append_event(KEYS[2], KEYS[3], KEYS[4], ARGV[4], ARGV[1], ARGV[2], {EV_TYPE, EV_DELETED, EV_ID, ARGV[3]})
            """);

    static String tombstone(long id) {
        return "chatcache:deleted:" + id;
    }

    @Override
    public Map<Long, Message> getAll(Collection<Long> ids) {
        try (Jedis jedis = pool.getResource()) {
            return getAll(jedis, ids);
        } catch (JedisException e) {
            throw new BackendUnavailableException("Redis could not read messages: " + e.getMessage(), e);
        }
    }

    private static Map<Long, Message> getAll(Jedis jedis, Collection<Long> ids) {
        Pipeline p = jedis.pipelined();
        Map<Long, Response<Map<String, String>>> replies = new java.util.LinkedHashMap<>();
        for (long id : ids) {
            replies.put(id, p.hgetAll(MessageHash.key(id)));
        }
        p.sync();
        Map<Long, Message> found = new java.util.LinkedHashMap<>();
        replies.forEach((id, reply) -> {
            Map<String, String> fields = reply.get();
            if (MessageHash.isMessage(fields)) {
                found.put(id, MessageHash.toMessage(MessageHash.key(id), fields));
            }
        });
        return found;
    }

    @Override
    public Set<Long> withOtherWords(List<Message> messages) {
        try (Jedis jedis = pool.getResource()) {
            Pipeline p = jedis.pipelined();
            List<Response<String>> words = messages.stream().map(m -> p.hget(MessageHash.key(m.id()), MessageHash.WORDS)).toList();
            p.sync();
            Set<Long> other = new java.util.HashSet<>();
            for (int i = 0; i < messages.size(); i++) {
                String cached = words.get(i).get();
                Message m = messages.get(i);
                if (cached != null && !cached.equals(String.join(",", Words.of(m.text())))) {
                    other.add(m.id());
                }
            }
            return other;
        } catch (JedisException e) {
            throw new BackendUnavailableException("Redis could not read words: " + e.getMessage(), e);
        }
    }

    @Override
    public java.util.Set<Long> orderedIds(long chatId) {
        try (Jedis jedis = pool.getResource()) {
            java.util.Set<Long> ids = new java.util.HashSet<>();
            for (String sortKey : OrderIndex.all(jedis, OrderIndex.chatList(chatId))) {
                ids.add(OrderKey.ofSortKey(sortKey).id());
            }
            return ids;
        } catch (JedisException e) {
            throw new BackendUnavailableException("Redis could not read an order index: " + e.getMessage(), e);
        }
    }

    @Override
    public Map<Long, Set<Long>> orderedIdsByAuthor(long chatId) {
        try (Jedis jedis = pool.getResource()) {
            Map<Long, Set<Long>> out = new HashMap<>();
            for (String list : OrderIndex.authorLists(jedis, chatId)) {
                Set<Long> ids = new java.util.HashSet<>();
                OrderIndex.all(jedis, list).forEach(k -> ids.add(OrderKey.ofSortKey(k).id()));
                out.put(OrderIndex.authorOf(list), ids);
            }
            return out;
        } catch (JedisException e) {
            throw new BackendUnavailableException("Redis could not read an order index: " + e.getMessage(), e);
        }
    }

    @Override
    public long removeStale(long chatId, Set<Long> keep, java.util.function.Function<Set<Long>, Set<Long>> stillWanted) {
        try (Jedis jedis = pool.getResource()) {
            List<String> lists = new ArrayList<>(List.of(OrderIndex.chatList(chatId)));
            lists.addAll(OrderIndex.authorLists(jedis, chatId));
            // each list's entries that are not kept, by the id they name
            Map<String, Map<Long, String>> candidates = new HashMap<>();
            Set<Long> staleIds = new java.util.HashSet<>();
            for (String list : lists) {
                Map<Long, String> byId = new HashMap<>();
                for (String sortKey : OrderIndex.all(jedis, list)) {
                    long id = OrderKey.ofSortKey(sortKey).id();
                    if (!keep.contains(id)) {
                        byId.put(id, sortKey);
                    }
                }
                candidates.put(list, byId);
                staleIds.addAll(byId.keySet());
            }
            if (staleIds.isEmpty()) {
                return 0;
            }
            staleIds.removeAll(stillWanted.apply(Set.copyOf(staleIds)));
            long removed = 0;
            for (Map.Entry<String, Map<Long, String>> entry : candidates.entrySet()) {
                List<String> stale = entry.getValue().entrySet().stream()
                        .filter(e -> staleIds.contains(e.getKey())).map(Map.Entry::getValue).toList();
                for (int from = 0; from < stale.size(); from += 1_000) {
                    Transaction tx = jedis.multi();
                    order.remove(tx, entry.getKey(), stale.subList(from, Math.min(stale.size(), from + 1_000)).toArray(String[]::new));
                    List<Object> results = tx.exec();
                    if (OrderIndex.scriptWasMissing(results)) {
                        OrderIndex.load(jedis);
                        from -= 1_000; // the same batch again
                        continue;
                    }
                    requireSuccess(results, "removing stale order entries of chat " + chatId);
                }
                removed += stale.size();
            }
            Map<Long, Message> cached = getAll(jedis, staleIds);
            Transaction tx = jedis.multi();
            for (long id : staleIds) {
                Message m = cached.get(id);
                if (m == null || m.chatId() == chatId) {
                    if (index.indexesExplicitly()) {
                        tx.sendCommand(SearchCommand.DEL, SearchIndex.NAME, MessageHash.key(id));
                    }
                    tx.del(MessageHash.key(id));
                }
            }
            // why the replies are not checked: FT.DEL of a hash the index never held answers an error
            tx.exec();
            return removed;
        } catch (JedisException e) {
            throw new BackendUnavailableException("Redis could not remove stale entries of chat " + chatId + ": " + e.getMessage(), e);
        }
    }

    @Override
    public long indexedReadCount(long chatId) {
        if (!readIndexed()) {
            return -1;
        }
        return count(new RediSearchQuery().tagEquals(MessageField.CHAT_ID, chatId)
                .tagEquals(MessageField.READ, 1).render());
    }

    @Override
    public long indexedCount(long chatId) {
        return count(new RediSearchQuery().tagEquals(MessageField.CHAT_ID, chatId).render());
    }

    private long count(String query) {
        try (Jedis jedis = pool.getResource()) {
            // why: RediSearch 1.2 refuses LIMIT 0 0; the total comes first in the reply either way
            List<?> reply = (List<?>) jedis.sendCommand(SearchCommand.SEARCH, SearchIndex.NAME, query, "NOCONTENT", "LIMIT", "0", "1");
            return (Long) reply.get(0);
        } catch (JedisException e) {
            throw new BackendUnavailableException("Redis could not count indexed messages: " + e.getMessage(), e);
        }
    }

    /** The message, read with the check that the cache holds the whole chat (else CacheIncompleteException). */
    @Override
    public Optional<Message> find(long chatId, long messageId) {
        String key = MessageHash.key(messageId);
        Map<String, String> fields;
        try (Jedis jedis = pool.getResource()) {
            Pipeline p = jedis.pipelined();
            Response<Map<String, String>> hash = p.hgetAll(key);
            Supplier<Boolean> complete = CacheState.holds(p, chatId);
            p.sync();
            if (!complete.get()) {
                throw new CacheIncompleteException(chatId);
            }
            fields = hash.get();
        } catch (JedisException e) {
            throw readFailure("Redis could not read message " + messageId, e);
        }
        if (!MessageHash.isMessage(fields)) {
            return Optional.empty();
        }
        return Optional.of(MessageHash.toMessage(key, fields)).filter(m -> m.chatId() == chatId);
    }

    /**
     * The order index names the slice's messages exactly: the chat's list, or each asked-for
     * author's list (merged: at most {@code count} keys from each, the nearest {@code count} of
     * all), started and cut at the time range's bounds. FT.SEARCH then answers for those hashes
     * (INKEYS) with the slice's chat and filters as its query. If the two disagree (a write landed
     * between the two reads), the read is repeated; if they keep disagreeing, the Redis route
     * fails rather than answer something partial. Filters the order index keeps no list for (read
     * state, words) are searched in windows instead ({@link #searchFiltered}).
     */
    @Override
    public List<Message> slice(Slice slice) {
        return slice(slice, null);
    }

    /** @param trace where the commands sent are written (explain), or null */
    private List<Message> slice(Slice slice, List<List<String>> trace) {
        List<String> lists = lists(slice);
        Optional<Filter.TimeRange> range = slice.filter(Filter.TimeRange.class);
        boolean older = slice.direction() == Slice.Direction.OLDER;
        Optional<WalkStart> start = startOf(slice);
        if (start.isEmpty()) {
            return List.of(); // the range holds no message the slice could reach
        }
        Comparator<OrderKey> nearestFirst = older ? Comparator.<OrderKey>reverseOrder() : Comparator.<OrderKey>naturalOrder();
        try (Jedis jedis = pool.getResource()) {
            if (hasFilterWithoutOrder(slice)) {
                return searchFiltered(jedis, slice, lists, range, start.get().after(), nearestFirst, trace);
            }
            for (int attempt = 0; attempt < 3; attempt++) {
                List<OrderKey> expected = nearest(jedis, slice, lists, start.get().after(), slice.count(), nearestFirst, trace).keys()
                        .stream().filter(k -> admitted(k, slice)).toList();
                if (expected.isEmpty()) {
                    return List.of();
                }
                Optional<List<Message>> found = readExactly(jedis, slice, expected, nearestFirst, trace);
                if (found.isPresent()) {
                    return found.get();
                }
            }
        } catch (JedisException e) {
            // a timed-out query lands here too: ON_TIMEOUT FAIL turns it into an error reply
            throw readFailure("Redis search failed", e);
        } catch (IllegalStateException | IllegalArgumentException | ClassCastException e) {
            // why: a document Redis cannot turn into a message is a failure of the Redis route
            // (the reader gets MySQL's answer), not a server error
            throw new BackendUnavailableException(BackendUnavailableException.Reason.UNREADABLE,
                    "Redis returned an unreadable document: " + e.getMessage(), e);
        }
        throw new BackendUnavailableException(BackendUnavailableException.Reason.DISAGREEMENT,
                "idx:messages and the order index of chat " + slice.chatId() + " disagree", null);
    }

    /** The first window a filtered walk searches, at least (twice the page, if larger). */
    static final int FIRST_WINDOW = 64;
    /** At most this many matches are listed by one search of a time span; a span with more is narrowed. */
    static final int SPAN_MAX = 1_000;
    /** Times a span that held too many matches is narrowed before the walk gives up (a DISAGREEMENT). */
    private static final int NARROWINGS = 6;

    /**
     * Whether the index holds each message's current read state. 2.x re-indexes a hash on HSET.
     * 1.x is not told about marks: re-indexing a document (FT.ADDHASH ... REPLACE) leaves its old
     * entries until the module's garbage collector removes them, and until then 1.2 intersections
     * miss documents (measured: 3,000 messages re-indexed 12 times each, {@code @chatId:{1}
     * @read:{1}} found 400 of 1,500 while {@code @read:{1}} alone found all; after the collector
     * ran, 1,500), so marks, the commonest write, would break queries. On 1.x the index holds the
     * read state a message had when it was last written: "unread" there is a superset of the
     * truth (a read mark is never undone), and each candidate's state is taken from its hash.
     */
    public boolean readIndexed() {
        return !index.indexesExplicitly();
    }

    /** Whether a filter has no order-index list, so that RediSearch must find the slice's messages. */
    private static boolean hasFilterWithoutOrder(Slice slice) {
        return slice.filters().stream().anyMatch(RedisMessages::withoutOrder);
    }

    /** why a switch: a new filter must say here whether the order index can walk it (no default: a compile error). */
    private static boolean withoutOrder(Filter filter) {
        return switch (filter) {
            case Filter.Authors authors -> false; // the authors' own lists
            case Filter.TimeRange range -> false; // a range of the order key
            case Filter.Read read -> true;
            case Filter.Text text -> true;
            case Filter.UnreadBy unread -> true;
        };
    }

    /**
     * The slice with filters only RediSearch can test (read state, words). First the order index
     * names the nearest window of messages (of the chat, or of the authors' lists; this call also
     * checks that Redis holds the whole chat) and FT.SEARCH keeps those that pass (INKEYS): a
     * dense filter's page ends here. Then spans of time beyond the window are searched, each
     * listing only its matches' times ({@link RedisQueryMapper#candidateArgs}): the first as long
     * as the window's density says the rest of the page needs, three times over (at least 16
     * windows' worth; 64 when nothing passed); after a span with no match, the whole rest of the
     * chat (a rare filter: its cost is its matches); after one with too few, a span sized by the
     * density seen so far. A span holding more than {@value #SPAN_MAX} matches is narrowed (the
     * whole rest, by going on by spans). The nearest matches complete the page, read with one
     * FT.SEARCH INKEYS that checks they still pass.
     */
    private List<Message> searchFiltered(Jedis jedis, Slice slice, List<String> lists, Optional<Filter.TimeRange> range,
                                        Optional<String> start, Comparator<OrderKey> nearestFirst,
                                        List<List<String>> trace) {
        int window = Math.max(FIRST_WINDOW, 2 * slice.count());
        Walked w = nearest(jedis, slice, lists, start, window, nearestFirst, trace);
        List<OrderKey> inRange = w.keys().stream().filter(k -> admitted(k, slice)).toList();
        List<Message> page = new ArrayList<>();
        if (!inRange.isEmpty()) {
            List<Message> found = new ArrayList<>(search(jedis, slice, keysOf(inRange), trace));
            found.sort(Comparator.comparing(RedisMessages::orderKey, nearestFirst));
            page.addAll(found);
        }
        if (page.size() >= slice.count()) {
            return List.copyOf(page.subList(0, slice.count()));
        }
        if (w.ended() || inRange.size() < w.keys().size()) {
            return page; // the chat (or the time range) holds nothing further
        }
        OrderKey last = w.keys().get(w.keys().size() - 1);
        long spanOfWindow = Math.max(1, Math.abs(last.createdAt() - w.keys().get(0).createdAt()));
        int needed = slice.count() - page.size();
        // as long as the window's density says the rest of the page needs, three times over, and at
        // least 16 windows' worth; 64 windows' worth when nothing passed
        long span = page.isEmpty() ? 64 * spanOfWindow : Math.max(16 * spanOfWindow,
                (long) Math.ceil(3.0 * needed * spanOfWindow * w.keys().size() / page.size() / Math.max(1, w.keys().size() - 1)));
        page.addAll(beyond(jedis, slice, range, last, needed, Math.max(span, 1), nearestFirst, trace));
        return page;
    }

    /**
     * The nearest {@code needed} matches beyond {@code after}, searched by time spans (see
     * {@link #searchFiltered}), read in full.
     */
    private List<Message> beyond(Jedis jedis, Slice slice, Optional<Filter.TimeRange> range, OrderKey after, int needed,
                                 long firstSpan, Comparator<OrderKey> nearestFirst, List<List<String>> trace) {
        boolean older = slice.direction() == Slice.Direction.OLDER;
        // the far end of what the slice may reach, in time
        long end = older ? range.map(Filter.TimeRange::since).orElse(Long.MIN_VALUE)
                : range.map(r -> r.hasUntil() ? r.until() - 1 : Long.MAX_VALUE).orElse(Long.MAX_VALUE);
        if (older) { // an unread-by filter's marker: its millisecond at the most (keys are cut exactly in span)
            long markerTime = slice.filter(Filter.UnreadBy.class).map(Filter.UnreadBy::marker)
                    .map(OrderKey::createdAt).orElse(Long.MIN_VALUE);
            end = Math.max(end, markerTime);
        }
        for (int attempt = 0; attempt < 3; attempt++) {
            List<OrderKey> found = new ArrayList<>();
            long from = after.createdAt(); // the near end of the next span, inclusive
            long span = firstSpan;
            boolean whole = false; // the next search covers the whole rest of the slice's reach
            boolean wholeAsked = false;
            long searchedMs = 0;
            int narrowings = 0;
            while (true) {
                long to = whole ? end
                        : older ? Math.max(end, saturatedMinus(from, span - 1)) : Math.min(end, saturatedPlus(from, span - 1));
                // why no time bound for the whole rest of a chat: a NUMERIC range over most of a
                // chat costs RediSearch more than the rare filter it narrows (1M messages, a word
                // in 100: 1.3-2.0 ms with @createdAt:[-inf t], 0.24-0.7 ms without, 1.2 and 2.10);
                // matches on the near side are dropped by their keys (span() keeps those beyond)
                boolean open = whole && (older ? end == Long.MIN_VALUE : end == Long.MAX_VALUE);
                Span got = open ? span(jedis, slice, Long.MIN_VALUE, Long.MAX_VALUE, after, nearestFirst, trace)
                        : span(jedis, slice, Math.min(from, to), Math.max(from, to), after, nearestFirst, trace);
                if (got == null) { // more than SPAN_MAX matches
                    if (whole) {
                        whole = false; // the rest is not rare: go on by spans
                        span = saturatedTimes(span, 8);
                    } else if (++narrowings > NARROWINGS || span <= 1) {
                        throw new BackendUnavailableException(BackendUnavailableException.Reason.DISAGREEMENT,
                                "more than " + SPAN_MAX + " matches within " + span + " ms of chat " + slice.chatId(), null);
                    } else {
                        span = Math.max(1, span / 4);
                    }
                    continue;
                }
                found.addAll(got.keys());
                if (found.size() >= needed || to == end) {
                    break;
                }
                searchedMs = saturatedPlus(searchedMs, Math.abs(to - from) + 1);
                from = older ? to - 1 : to + 1;
                if (found.isEmpty() && !wholeAsked) {
                    whole = wholeAsked = true; // nothing here: the filter is rare, list all of the rest
                } else {
                    // the density seen so far, three times over, at least twice the last span
                    long estimate = found.isEmpty() ? saturatedTimes(span, 8)
                            : (long) Math.min(Long.MAX_VALUE / 2, Math.ceil(3.0 * (needed - found.size()) * searchedMs / found.size()));
                    span = Math.max(saturatedTimes(span, 2), estimate);
                }
            }
            found.sort(nearestFirst);
            List<OrderKey> nearest = found.size() > needed ? found.subList(0, needed) : found;
            if (nearest.isEmpty()) {
                return List.of();
            }
            Optional<List<Message>> messages = readExactly(jedis, slice, nearest, nearestFirst, trace);
            if (messages.isPresent()) {
                return messages.get();
            }
            // one of them changed (edited, deleted, marked read) between the two searches
        }
        throw new BackendUnavailableException(BackendUnavailableException.Reason.DISAGREEMENT,
                "the matches of chat " + slice.chatId() + " kept changing", null);
    }

    /** A span's matches beyond {@code after}, or null when it holds more than {@value #SPAN_MAX}. */
    private record Span(List<OrderKey> keys) {
    }

    private Span span(Jedis jedis, Slice slice, long min, long max, OrderKey after, Comparator<OrderKey> nearestFirst,
                      List<List<String>> trace) {
        List<String> args = withOptions(RedisQueryMapper.candidateArgs(SearchIndex.NAME, slice, min, max, SPAN_MAX, readIndexed()));
        traced(trace, "FT.SEARCH", args);
        List<?> reply = (List<?>) jedis.sendCommand(SearchCommand.SEARCH, args.toArray(String[]::new));
        if ((Long) reply.get(0) > SPAN_MAX) {
            return null;
        }
        List<OrderKey> keys = new ArrayList<>();
        for (int i = 1; i + 1 < reply.size(); i += 2) {
            long id = MessageHash.idOf(SafeEncoder.encode((byte[]) reply.get(i)));
            Map<String, String> fields = fieldsOf((List<?>) reply.get(i + 1));
            OrderKey key = new OrderKey(Long.parseLong(fields.get(MessageField.CREATED_AT.redisField())), id);
            // where the index may lag on read state (1.x), the span returned each hash's own
            boolean readMatches = readIndexed() || slice.filter(Filter.Read.class)
                    .map(r -> r.read() == "1".equals(fields.get(MessageHash.READ))).orElse(true);
            if (nearestFirst.compare(key, after) > 0 && readMatches && admitted(key, slice)) {
                keys.add(key);
            }
        }
        return new Span(keys);
    }

    private static long saturatedMinus(long a, long b) {
        long r = a - b;
        return ((a ^ b) & (a ^ r)) < 0 ? Long.MIN_VALUE : r;
    }

    private static long saturatedPlus(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    private static long saturatedTimes(long a, long b) {
        return a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
    }

    /**
     * These messages read with the slice's query (INKEYS), nearest first, if they are exactly
     * these keys; empty when one changed or went meanwhile (the caller reads again).
     */
    private Optional<List<Message>> readExactly(Jedis jedis, Slice slice, List<OrderKey> keys,
                                                Comparator<OrderKey> nearestFirst, List<List<String>> trace) {
        List<Message> found = new ArrayList<>(search(jedis, slice, keysOf(keys), trace));
        found.sort(Comparator.comparing(RedisMessages::orderKey, nearestFirst));
        return found.stream().map(RedisMessages::orderKey).toList().equals(keys) ? Optional.of(found) : Optional.empty();
    }

    /** Whether a key lies in the slice's reach: its time range, and after the marker of an unread-by filter. */
    private static boolean admitted(OrderKey k, Slice slice) {
        return slice.filter(Filter.TimeRange.class).map(r -> k.createdAt() >= r.since() && k.createdAt() < r.until()).orElse(true)
                && slice.filter(Filter.UnreadBy.class).map(u -> u.above(k)).orElse(true);
    }

    private static OrderKey orderKey(Message m) {
        return new OrderKey(m.createdAt(), m.id());
    }

    private static List<String> keysOf(List<OrderKey> keys) {
        return keys.stream().map(k -> MessageHash.key(k.id())).toList();
    }

    private static void traced(List<List<String>> trace, String command, List<String> args) {
        if (trace != null) {
            List<String> c = new ArrayList<>(args.size() + 1);
            c.add(command);
            c.addAll(args);
            trace.add(c);
        }
    }

    /**
     * The commands this store sends for the pager's steps (explain): the anchor's hash with the
     * completeness check in one pipeline; for a slice, one order-index call per list walked and,
     * when it named any message, the FT.SEARCH over those.
     */
    public Explain.Translator<List<String>> translator() {
        return new Explain.Translator<>() {
            @Override
            public List<List<String>> find(long chatId, long messageId) {
                return List.of(List.of("HGETALL", MessageHash.key(messageId)), List.of("EXISTS", CacheState.COMPLETE),
                        List.of("SISMEMBER", CacheState.REBUILDING, Long.toString(chatId)));
            }

            @Override
            public List<List<String>> slice(Slice slice, List<Long> answerIds) {
                if (hasFilterWithoutOrder(slice)) {
                    return walked(slice);
                }
                Optional<WalkStart> start = startOf(slice);
                if (start.isEmpty()) {
                    return List.of();
                }
                List<List<String>> commands = new ArrayList<>();
                for (String list : lists(slice)) {
                    commands.add(OrderIndex.guardedCommand(slice.chatId(), list,
                            slice.direction() == Slice.Direction.OLDER, start.get().after(), slice.count()));
                }
                if (!answerIds.isEmpty()) {
                    List<String> search = new ArrayList<>(List.of("FT.SEARCH"));
                    search.addAll(RedisQueryMapper.toSearchArgs(SearchIndex.NAME, slice,
                            answerIds.stream().map(MessageHash::key).toList(), readIndexed()));
                    search.addAll(index.searchOptions());
                    commands.add(search);
                }
                return commands;
            }
        };
    }

    /**
     * A filtered walk's commands depend on the messages walked past, not only on the answer: they
     * are the commands of the same walk run again now (reads only); if Redis cannot answer, the
     * first window's commands, with the hashes it would name left open.
     */
    private List<List<String>> walked(Slice slice) {
        List<List<String>> trace = new ArrayList<>();
        try {
            slice(slice, trace);
            return trace;
        } catch (BackendUnavailableException e) { // CacheIncompleteException too
            Optional<WalkStart> start = startOf(slice);
            if (start.isEmpty()) {
                return List.of();
            }
            int window = Math.max(FIRST_WINDOW, 2 * slice.count());
            List<List<String>> commands = new ArrayList<>();
            for (String list : lists(slice)) {
                commands.add(OrderIndex.guardedCommand(slice.chatId(), list,
                        slice.direction() == Slice.Direction.OLDER, start.get().after(), window));
            }
            List<String> search = new ArrayList<>(List.of("FT.SEARCH"));
            search.addAll(withOptions(RedisQueryMapper.toSearchArgs(SearchIndex.NAME, slice, List.of("<the keys named above>"), readIndexed())));
            commands.add(search);
            return commands;
        }
    }

    /** The order-index lists a slice walks: the chat's, or each asked-for author's. */
    private static List<String> lists(Slice slice) {
        return slice.filter(Filter.Authors.class)
                .map(a -> a.ids().stream().map(id -> OrderIndex.authorList(slice.chatId(), id)).toList())
                .orElse(List.of(OrderIndex.chatList(slice.chatId())));
    }

    /** A failed read, with why: Redis unreachable (or no connection free), a query timed out, or else. */
    private static BackendUnavailableException readFailure(String what, JedisException e) {
        BackendUnavailableException.Reason reason;
        if (e instanceof redis.clients.jedis.exceptions.JedisConnectionException
                || e.getCause() instanceof java.util.NoSuchElementException) {
            reason = BackendUnavailableException.Reason.UNREACHABLE;
        } else if (String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("timeout")) {
            reason = BackendUnavailableException.Reason.TIMEOUT;
        } else {
            reason = BackendUnavailableException.Reason.FAILED;
        }
        return new BackendUnavailableException(reason, what + ": " + e.getMessage(), e);
    }

    /**
     * {@link #start}, and, walking towards newer messages, not below the marker of an unread-by
     * filter (walking towards older ones, the marker ends the walk: {@link #admitted}).
     */
    private static Optional<WalkStart> startOf(Slice slice) {
        Optional<WalkStart> start = start(slice, slice.filter(Filter.TimeRange.class));
        Optional<OrderKey> marker = slice.filter(Filter.UnreadBy.class).map(Filter.UnreadBy::marker);
        if (start.isEmpty() || marker.isEmpty() || slice.direction() == Slice.Direction.OLDER) {
            return start;
        }
        String bound = marker.get().sortKey();
        return Optional.of(new WalkStart(start.get().after().filter(f -> f.compareTo(bound) > 0).or(() -> Optional.of(bound))));
    }

    /** Where a walk of the order index starts: after this sort key (exclusive), or at the newest message when empty. */
    private record WalkStart(Optional<String> after) {
    }

    /**
     * Where the walk starts (exclusive): the slice's own start, moved to the near bound of its time
     * range when that is nearer. Empty when the range lies wholly outside the times a message can have.
     */
    private static Optional<WalkStart> start(Slice slice, Optional<Filter.TimeRange> range) {
        Optional<String> from = slice.from().map(OrderKey::sortKey);
        if (range.isEmpty()) {
            return Optional.of(new WalkStart(from));
        }
        Filter.TimeRange r = range.get();
        if (r.until() <= 0 || (r.hasSince() && r.since() > MessageOrder.MAX_CREATED_AT)) {
            return Optional.empty();
        }
        if (slice.direction() == Slice.Direction.OLDER) {
            if (!r.hasUntil() || r.until() > MessageOrder.MAX_CREATED_AT) {
                return Optional.of(new WalkStart(from));
            }
            String bound = MessageOrder.timeBound(r.until());
            return Optional.of(new WalkStart(Optional.of(from.filter(f -> f.compareTo(bound) < 0).orElse(bound))));
        }
        if (r.since() <= 0) {
            return Optional.of(new WalkStart(from));
        }
        String bound = MessageOrder.timeBound(r.since());
        return Optional.of(new WalkStart(from.filter(f -> f.compareTo(bound) > 0).or(() -> Optional.of(bound))));
    }

    /** Up to a window's keys, nearest first; {@code ended} when every list ran out before it was full. */
    private record Walked(List<OrderKey> keys, boolean ended) {
    }

    /** The {@code count} nearest keys over these lists, nearest first. */
    private static Walked nearest(Jedis jedis, Slice slice, List<String> lists, Optional<String> start, int count,
                                  Comparator<OrderKey> nearestFirst, List<List<String>> trace) {
        boolean older = slice.direction() == Slice.Direction.OLDER;
        List<OrderKey> keys = new ArrayList<>();
        for (String list : lists) {
            List<String> sortKeys = older
                    ? OrderIndex.olderInComplete(jedis, slice.chatId(), list, start, count)
                    : OrderIndex.newerInComplete(jedis, slice.chatId(), list, start.orElseThrow(), count);
            if (trace != null) {
                trace.add(OrderIndex.guardedCommand(slice.chatId(), list, older, start, count));
            }
            sortKeys.forEach(k -> keys.add(OrderKey.ofSortKey(k)));
        }
        if (lists.size() > 1) {
            keys.sort(nearestFirst);
        }
        boolean ended = keys.size() < count;
        return new Walked(keys.size() > count ? keys.subList(0, count) : keys, ended);
    }

    private List<Message> search(Jedis jedis, Slice slice, List<String> hashKeys, List<List<String>> trace) {
        List<String> args = withOptions(RedisQueryMapper.toSearchArgs(SearchIndex.NAME, slice, hashKeys, readIndexed()));
        traced(trace, "FT.SEARCH", args);
        List<Message> found = parseSearchReply((List<?>) jedis.sendCommand(SearchCommand.SEARCH, args.toArray(String[]::new)));
        // why: on 1.x a hash changes a moment before its index entry does (see indexOutsideTransaction);
        // a message the index still lists under its old read state or words is, as of now, not
        // a match. (Unfiltered pages are checked against the order index instead.)
        return hasFilterWithoutOrder(slice) ? found.stream().filter(m -> slice.filters().stream().allMatch(f -> f.matches(m))).toList()
                : found;
    }

    private List<String> withOptions(List<String> args) {
        List<String> all = new ArrayList<>(args);
        all.addAll(index.searchOptions());
        return all;
    }

    /** FT.SEARCH replies (RESP2) [total, key, [field, value, ...], key, [...], ...]. */
    static List<Message> parseSearchReply(List<?> reply) {
        List<Message> messages = new ArrayList<>((reply.size() - 1) / 2);
        for (int i = 1; i + 1 < reply.size(); i += 2) {
            String key = SafeEncoder.encode((byte[]) reply.get(i));
            messages.add(MessageHash.toMessage(key, fieldsOf((List<?>) reply.get(i + 1))));
        }
        return messages;
    }

    /** A document's [field, value, ...] of an FT.SEARCH reply. */
    private static Map<String, String> fieldsOf(List<?> raw) {
        Map<String, String> fields = new HashMap<>();
        for (int f = 0; f + 1 < raw.size(); f += 2) {
            // why the check: 1.x answers a RETURNed field the hash lacks (data) with a null
            if (raw.get(f + 1) != null) {
                fields.put(SafeEncoder.encode((byte[]) raw.get(f)), SafeEncoder.encode((byte[]) raw.get(f + 1)));
            }
        }
        return fields;
    }

    /**
     * Marks read in one Lua call, which also appends the marks to the read-mark stream: the marks
     * and the record that MySQL still needs them are written together or not at all.
     */
    @Override
    public List<Long> markRead(Collection<Long> ids) {
        markExisting(ids, true);
        return List.of();
    }

    /** Marks made on the MySQL path, copied here. */
    @Override
    public void applyReadMarks(Collection<Long> ids) {
        markExisting(ids, false);
    }

    /**
     * Sets read on those of these messages Redis holds, and (for marks made here) appends them to
     * the read-mark stream, in one Lua call: atomic, so a message deleted meanwhile never comes back
     * as a stub hash holding only "read", and the marks and the record that MySQL still needs them
     * are written together. why not WATCH/MULTI (as before): readers marking the same messages
     * at once made each other's transactions fail; six at once ran out of retries (measured).
     */
    private void markExisting(Collection<Long> ids, boolean recordForMysql) {
        if (ids.isEmpty()) {
            return;
        }
        List<String> keys = new ArrayList<>(ids.size() + 3);
        List<String> args = new ArrayList<>(ids.size() + 4);
        args.add(recordForMysql ? "1" : "0");
        args.add(ReadMarkLog.IDS);
        args.addAll(eventArgs);
        for (long id : ids) {
            keys.add(MessageHash.key(id));
            args.add(Long.toString(id));
        }
        keys.add(ReadMarkLog.KEY);
        keys.addAll(EventAppend.guardKeys());
        try (Jedis jedis = pool.getResource()) {
            try {
                jedis.evalsha(MARK_READ_SHA, keys, args);
            } catch (redis.clients.jedis.exceptions.JedisNoScriptException e) {
                jedis.eval(MARK_READ, keys, args); // which also makes Redis know it
            }
        } catch (JedisException e) {
            throw new BackendUnavailableException("Redis could not mark messages read: " + e.getMessage(), e);
        }
    }

    /**
     * KEYS: the messages' hashes, the read-mark stream, the guard keys; ARGV[1] "1" to record the
     * marks in the read-mark stream, ARGV[2] its field of ids, ARGV[3..4] max and retention of the
     * event streams, then the messages' ids. Every existing message goes to the read-mark stream
     * (as before: MySQL may lack the mark); only those whose read went from 0 to 1 go to their
     * chat's event stream, one message.read per chat. why the event stream's key is built here:
     * the chats are known only from the hashes (standalone Redis, as RediSearch needs anyway).
     * why no FT.ADDHASH on 1.x: see readIndexed().
     */
    private static final String MARK_READ = EventAppend.script(MessageHash.luaNames() + """
            local n = #KEYS - 3
            local marked = {}
            local chats = {}
            local newly = {}
            for i = 1, n do
              if redis.call('EXISTS', KEYS[i]) == 1 then
                local id = ARGV[i + 4]
                if redis.call('HGET', KEYS[i], H_READ) ~= '1' then
                  redis.call('HSET', KEYS[i], H_READ, '1')
                  local chat = redis.call('HGET', KEYS[i], H_CHAT)
                  if chat then
                    if not newly[chat] then
                      newly[chat] = {}
                      chats[#chats + 1] = chat
                    end
                    table.insert(newly[chat], id)
                  end
                end
                marked[#marked + 1] = id
              end
            end
            if ARGV[1] == '1' and #marked > 0 then
              redis.call('XADD', KEYS[n + 1], '*', ARGV[2], table.concat(marked, ','))
            end
            for _, chat in ipairs(chats) do
              append_event(EV_PREFIX .. chat, KEYS[n + 2], KEYS[n + 3], chat, ARGV[3], ARGV[4],
                  {EV_TYPE, EV_READ, EV_IDS, table.concat(newly[chat], ',')})
            end
            return #marked""");
    private static final String MARK_READ_SHA = OrderIndex.sha1(MARK_READ);

    private static void requireSuccess(List<Object> results, String what) {
        if (results == null) {
            throw new BackendUnavailableException(what + ": transaction discarded", null);
        }
        for (Object r : results) {
            if (r instanceof Exception e) {
                throw new BackendUnavailableException(what + ": " + e.getMessage(), e);
            }
        }
    }
}
