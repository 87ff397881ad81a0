package chatcache.redis;

import chatcache.core.Message;
import chatcache.query.OrderKey;
import chatcache.query.Slice;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.SafeEncoder;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
        List<Message> found = parseSearchReply(keys(slice.chatId()), send(jedis, args, after));
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

    /** FT.SEARCH, alone or with the boundary after it ({@code after}, or null). */
    static List<?> send(Jedis jedis, List<String> args, BoundaryAfter after) {
        return after == null ? (List<?>) jedis.sendCommand(SearchCommand.SEARCH, args.toArray(String[]::new))
                : after.search(jedis, args);
    }

    /** How many indexed messages match the query (for checks). */
    static long count(Jedis jedis, KeySpace keys, String query) {
        // why: RediSearch 1.2 refuses LIMIT 0 0; the total comes first in the reply either way
        List<?> reply = (List<?>) jedis.sendCommand(SearchCommand.SEARCH, keys.index(), query, "NOCONTENT", "LIMIT", "0", "1");
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
