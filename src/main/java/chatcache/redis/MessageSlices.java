package chatcache.redis;

import chatcache.core.BackendUnavailableException;
import chatcache.core.Message;
import chatcache.message.CacheIncompleteException;
import chatcache.query.Filter;
import chatcache.query.OrderKey;
import chatcache.query.Slice;
import chatcache.rediskit.Redis;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** The read path: one message by id, and slices (pages) of a chat, each checked against the order index. */
final class MessageSlices {
    /** Times an unfiltered slice is read again when the order index and the index disagree. */
    private static final int READS = 3;

    private final Redis redis;
    private final IndexSearch search;
    private final FilteredSearch filtered;

    MessageSlices(Redis redis, IndexSearch search) {
        this.redis = redis;
        this.search = search;
        this.filtered = new FilteredSearch(search);
    }

    /** The message, read with the check that the cache holds the whole chat (else CacheIncompleteException). */
    Optional<Message> find(long chatId, long messageId) {
        String key = MessageHash.key(messageId);
        Map<String, String> fields = redis.call("read a message", jedis -> {
            Pipeline p = jedis.pipelined();
            Response<Map<String, String>> hash = p.hgetAll(key);
            Supplier<Boolean> complete = CacheState.holds(p, chatId);
            p.sync();
            if (!complete.get()) {
                throw new CacheIncompleteException(chatId);
            }
            return hash.get();
        });
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
     * state, words) are searched in windows instead ({@link FilteredSearch}).
     *
     * @param trace where the commands sent are written (explain), or null
     */
    List<Message> slice(Slice slice, List<List<String>> trace) {
        Optional<OrderWalk.WalkStart> start = OrderWalk.startOf(slice);
        if (start.isEmpty()) {
            return List.of(); // the range holds no message the slice could reach
        }
        try {
            // a timed-out query fails too: ON_TIMEOUT FAIL turns it into an error reply
            return redis.call("search", jedis -> walk(jedis, slice, start.get(), trace));
        } catch (IllegalStateException | IllegalArgumentException | ClassCastException e) {
            // why: a document Redis cannot turn into a message is a failure of the Redis route
            // (the reader gets MySQL's answer), not a server error
            throw new BackendUnavailableException(BackendUnavailableException.Reason.UNREADABLE,
                    "Redis returned an unreadable document: " + e.getMessage(), e);
        }
    }

    private List<Message> walk(Jedis jedis, Slice slice, OrderWalk.WalkStart start, List<List<String>> trace) {
        List<String> lists = OrderWalk.lists(slice);
        Comparator<OrderKey> nearestFirst = slice.direction() == Slice.Direction.OLDER
                ? Comparator.<OrderKey>reverseOrder() : Comparator.<OrderKey>naturalOrder();
        if (OrderWalk.hasFilterWithoutOrder(slice)) {
            return filtered.searchFiltered(jedis, slice, lists, slice.filter(Filter.TimeRange.class), start.after(),
                    nearestFirst, trace);
        }
        for (int attempt = 0; attempt < READS; attempt++) {
            List<OrderKey> expected = OrderWalk.nearest(jedis, slice, lists, start.after(), slice.count(), nearestFirst, trace)
                    .keys().stream().filter(k -> OrderWalk.admitted(k, slice)).toList();
            if (expected.isEmpty()) {
                return List.of();
            }
            Optional<List<Message>> found = search.readExactly(jedis, slice, expected, nearestFirst, trace);
            if (found.isPresent()) {
                return found.get();
            }
        }
        throw new BackendUnavailableException(BackendUnavailableException.Reason.DISAGREEMENT,
                "idx:messages and the order index of chat " + slice.chatId() + " disagree", null);
    }
}
