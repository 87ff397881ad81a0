package chatcache.redis;

import chatcache.core.Message;
import chatcache.query.OrderKey;
import chatcache.query.Slice;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.util.SafeEncoder;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * FT.SEARCH as the slices use it: the messages of named hashes that pass a slice's query
 * (INKEYS), read and checked; the replies parsed; the commands written to an explain trace.
 */
final class IndexSearch {
    private final SearchIndex index;
    private final ChatGroups groups;

    IndexSearch(SearchIndex index, ChatGroups groups) {
        this.index = index;
        this.groups = groups;
    }

    /** The names of a chat's keys (the slices read one chat each). */
    KeySpace keys(long chatId) {
        return groups.of(chatId);
    }

    /** Whether the index holds each message's current read state (see {@link SearchIndex#holdsReadState}). */
    boolean readIndexed() {
        return index.holdsReadState();
    }

    /**
     * The messages of these hashes that pass the slice's chat and filters. why the filters again
     * here: on 1.x a hash changes a moment before its index entry does (see {@link MessageWrites}),
     * so a message the index still lists under its old read state or words is, as of now, not a
     * match. (Unfiltered pages are checked against the order index instead.)
     */
    List<Message> search(Jedis jedis, Slice slice, List<String> hashKeys, List<List<String>> trace) {
        return search(jedis, slice, hashKeys, trace, null);
    }

    /** The same, with the chat's boundary read right after it into {@code after} (null: not read). */
    List<Message> search(Jedis jedis, Slice slice, List<String> hashKeys, List<List<String>> trace, BoundaryAfter after) {
        List<String> args = withOptions(RedisQueryMapper.toSearchArgs(keys(slice.chatId()).index(), slice, hashKeys, readIndexed()));
        traced(trace, "FT.SEARCH", args);
        KeySpace keys = keys(slice.chatId());
        List<Message> found = parseSearchReply(keys, send(jedis, keys, slice.chatId(), args, after));
        return OrderWalk.hasFilterWithoutOrder(slice)
                ? found.stream().filter(m -> slice.filters().stream().allMatch(f -> f.matches(m))).toList()
                : found;
    }

    /**
     * These messages read with the slice's query (INKEYS), nearest first, if they are exactly
     * these keys; empty when one changed or went meanwhile (the caller reads again). {@code
     * after}: where the chat's boundary is read right after the search (null: not read).
     */
    Optional<List<Message>> readExactly(Jedis jedis, Slice slice, List<OrderKey> keys,
                                        Comparator<OrderKey> nearestFirst, List<List<String>> trace, BoundaryAfter after) {
        List<Message> found = new ArrayList<>(search(jedis, slice, hashKeys(keys(slice.chatId()), keys), trace, after));
        found.sort(Comparator.comparing(IndexSearch::orderKey, nearestFirst));
        return found.stream().map(IndexSearch::orderKey).toList().equals(keys) ? Optional.of(found) : Optional.empty();
    }

    /**
     * FT.SEARCH, alone or with the chat's boundary read after it ({@code after}, or null). On 2.x in
     * one transaction with the group's {@link KeySpace#indexing} mark: a search of an index still
     * being built over hashes already on its node (a slot that moved) is short, and must not be
     * answered; the mark is set before such an index is created and removed only once it is built,
     * so the transaction sees either the mark or a whole index. Then, and when the node has no
     * index of the group, CacheIncompleteException: MySQL answers (see {@link SearchIndex#building}).
     */
    List<?> send(Jedis jedis, KeySpace keys, long chatId, List<String> args, BoundaryAfter after) {
        if (index.indexesExplicitly()) { // 1.x builds nothing in the background (and is not asked in a MULTI)
            return after == null ? (List<?>) jedis.sendCommand(SearchCommand.SEARCH, args.toArray(String[]::new))
                    : after.search(jedis, args);
        }
        Response<Boolean> building;
        Response<Object> reply;
        Supplier<String> boundary;
        Transaction tx = jedis.multi();
        building = tx.exists(keys.indexing());
        reply = tx.sendCommand(SearchCommand.SEARCH, args.toArray(String[]::new));
        boundary = after == null ? null : after.queue(tx);
        tx.exec();
        Object searched;
        try {
            searched = reply.get();
        } catch (JedisDataException e) {
            if (!SearchIndex.isMissing(e)) {
                throw e;
            }
            index.building(jedis, keys, true);
            throw new IndexBuildingException(chatId, keys);
        }
        if (building.get()) {
            index.building(jedis, keys, false);
            throw new IndexBuildingException(chatId, keys);
        }
        if (boundary != null) {
            after.took(boundary.get());
        }
        return (List<?>) searched;
    }

    /** The group's index is missing on its node or still being built: MySQL answers. */
    static final class IndexBuildingException extends chatcache.message.CacheIncompleteException {
        IndexBuildingException(long chatId, KeySpace keys) {
            super(chatId, "the search index of chat " + chatId + "'s group (" + keys.index() + ") is being built on its node");
        }
    }

    /** How many indexed messages match the query (for checks). */
    long count(Jedis jedis, KeySpace keys, long chatId, String query) {
        // why: RediSearch 1.2 refuses LIMIT 0 0; the total comes first in the reply either way
        List<?> reply = send(jedis, keys, chatId, List.of(keys.index(), query, "NOCONTENT", "LIMIT", "0", "1"), null);
        return (Long) reply.get(0);
    }

    /** The arguments with the index's per-query options (2.x: a timeout). */
    List<String> withOptions(List<String> args) {
        List<String> all = new ArrayList<>(args);
        all.addAll(index.searchOptions());
        return all;
    }

    /** FT.SEARCH replies (RESP2) [total, key, [field, value, ...], key, [...], ...]. */
    static List<Message> parseSearchReply(KeySpace keys, List<?> reply) {
        List<Message> messages = new ArrayList<>((reply.size() - 1) / 2);
        for (int i = 1; i + 1 < reply.size(); i += 2) {
            String key = SafeEncoder.encode((byte[]) reply.get(i));
            messages.add(MessageHash.toMessage(keys.messageId(key), fieldsOf((List<?>) reply.get(i + 1))));
        }
        return messages;
    }

    /** A document's [field, value, ...] of an FT.SEARCH reply. */
    static Map<String, String> fieldsOf(List<?> raw) {
        Map<String, String> fields = new HashMap<>();
        for (int f = 0; f + 1 < raw.size(); f += 2) {
            // why the check: 1.x answers a RETURNed field the hash lacks (data) with a null
            if (raw.get(f + 1) != null) {
                fields.put(SafeEncoder.encode((byte[]) raw.get(f)), SafeEncoder.encode((byte[]) raw.get(f + 1)));
            }
        }
        return fields;
    }

    static OrderKey orderKey(Message m) {
        return new OrderKey(m.createdAt(), m.id());
    }

    static List<String> hashKeys(KeySpace space, List<OrderKey> keys) {
        return keys.stream().map(k -> space.message(k.id())).toList();
    }

    /** Adds the command to an explain trace, if there is one (null: none). */
    static void traced(List<List<String>> trace, String command, List<String> args) {
        if (trace != null) {
            List<String> c = new ArrayList<>(args.size() + 1);
            c.add(command);
            c.addAll(args);
            trace.add(c);
        }
    }
}
