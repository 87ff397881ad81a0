package chatcache.redis;

import chatcache.core.BackendUnavailableException;
import chatcache.core.Message;
import chatcache.core.EventId;
import chatcache.message.CacheIncompleteException;
import chatcache.message.ChatNotHeldException;
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

    /**
     * What Redis answered of a read: the messages, and the chat's boundary read with them ("": it
     * holds the whole chat; see {@link OrderIndex.Held}). {@code exact}: the boundary holds for
     * the messages as they were read, so that MySQL continues from it without reading it again
     * (one call read both, or the slice started below it and Redis could answer nothing).
     */
    record Sliced(List<Message> messages, String boundary, Optional<EventId> position, boolean exact) {
        Sliced(List<Message> messages, String boundary, Optional<EventId> position) {
            this(messages, boundary, position, false);
        }

        /** Exact, too, when the walk started below the boundary towards older messages: Redis had nothing to read. */
        Sliced startedAt(Slice slice, OrderWalk.WalkStart start) {
            boolean below = slice.direction() == Slice.Direction.OLDER && !boundary.isEmpty()
                    && start.after().filter(a -> a.compareTo(boundary) < 0).isPresent();
            return below && !exact ? new Sliced(messages, boundary, position, true) : this;
        }
    }

    /**
     * A message as Redis holds it (if it does), with the chat's boundary read with it, and where a
     * reader of a page anchored on it joins the chat's events.
     */
    record Found(Optional<Message> message, String boundary, Optional<EventId> position) {
    }

    /**
     * The message, read with the check that the cache holds the chat (else CacheIncompleteException).
     * why the events' position first in the pipeline: a change between it and the message's read
     * then reaches the reader again (harmless), where after it, it would never reach it.
     */
    Found find(long chatId, long messageId, boolean withPosition) {
        KeySpace keys = search.keys(chatId);
        String key = keys.message(messageId);
        return redis.call(keys.route(), "read a message", jedis -> {
            for (int attempt = 0; ; attempt++) {
                Pipeline p = jedis.pipelined();
                Response<Object> position = withPosition ? RedisEventLog.queuePosition(p, keys, chatId) : null;
                Response<Map<String, String>> hash = p.hgetAll(key);
                Supplier<String> boundary = heldBoundary(p, keys, chatId);
                p.sync();
                Optional<EventId> joinAt;
                try {
                    joinAt = position == null ? Optional.empty() : RedisEventLog.positionOf(position.get());
                } catch (redis.clients.jedis.exceptions.JedisDataException e) {
                    if (attempt > 0 || !chatcache.rediskit.LuaScript.isNoScript(e)) {
                        throw e;
                    }
                    RedisEventLog.loadPosition(jedis); // Redis forgot the script: load it, read again
                    continue;
                }
                String held = boundary.get();
                Map<String, String> fields = hash.get();
                Optional<Message> message = MessageHash.isMessage(fields)
                        ? Optional.of(MessageHash.toMessage(messageId, fields)).filter(m -> m.chatId() == chatId)
                        : Optional.empty();
                return new Found(message, held, joinAt);
            }
        });
    }

    /** The chat's boundary now (else CacheIncompleteException: Redis does not hold the chat). */
    String boundary(long chatId) {
        KeySpace keys = search.keys(chatId);
        return redis.call(keys.route(), "read a chat's boundary", jedis -> {
            Pipeline p = jedis.pipelined();
            Supplier<String> boundary = heldBoundary(p, keys, chatId);
            p.sync();
            return boundary.get();
        });
    }

    /**
     * Queues the reads that tell whether Redis holds the chat and where its window ends; after
     * the sync, the supplier gives the boundary, or throws CacheIncompleteException
     * (ChatNotHeldException when only the chat's held key is missing).
     */
    static Supplier<String> heldBoundary(redis.clients.jedis.PipeliningBase p, KeySpace keys, long chatId) {
        Supplier<Boolean> complete = CacheState.holds(p, keys, chatId);
        Response<String> boundary = p.get(keys.held(chatId));
        return () -> {
            requireHeld(chatId, complete.get(), boundary.get());
            return boundary.get();
        };
    }

    private static void requireHeld(long chatId, boolean complete, String boundary) {
        if (!complete) {
            throw new CacheIncompleteException(chatId);
        }
        if (boundary == null) {
            throw new ChatNotHeldException(chatId);
        }
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
     * @param position whether the first call also reads where a reader joins the chat's events
     * @param trace    where the commands sent are written (explain), or null
     */
    Sliced slice(Slice slice, boolean position, List<List<String>> trace) {
        Optional<OrderWalk.WalkStart> start = OrderWalk.startOf(slice);
        if (start.isEmpty()) {
            return new Sliced(List.of(), "", Optional.empty()); // the range holds no message the slice could reach, in either store
        }
        try {
            // a timed-out query fails too: ON_TIMEOUT FAIL turns it into an error reply
            return redis.call(search.keys(slice.chatId()).route(), "search", jedis -> walk(jedis, slice, start.get(), position, trace)).startedAt(slice, start.get());
        } catch (IllegalStateException | IllegalArgumentException | ClassCastException e) {
            // why: a document Redis cannot turn into a message is a failure of the Redis route
            // (the reader gets MySQL's answer), not a server error
            throw new BackendUnavailableException(BackendUnavailableException.Reason.UNREADABLE,
                    "Redis returned an unreadable document: " + e.getMessage(), e);
        }
    }

    /** Whether an unfiltered slice's order-index call also returns its messages (one list walked). */
    static boolean fetchesMessages(Slice slice) {
        return !OrderWalk.hasFilterWithoutOrder(slice) && slice.filter(Filter.Authors.class).map(a -> a.ids().size()).orElse(1) == 1;
    }

    private Sliced walk(Jedis jedis, Slice slice, OrderWalk.WalkStart start, boolean position, List<List<String>> trace) {
        KeySpace keys = search.keys(slice.chatId());
        List<String> lists = OrderWalk.lists(keys, slice);
        Comparator<OrderKey> nearestFirst = slice.direction() == Slice.Direction.OLDER
                ? Comparator.<OrderKey>reverseOrder() : Comparator.<OrderKey>naturalOrder();
        if (OrderWalk.hasFilterWithoutOrder(slice)) {
            return filtered.searchFiltered(jedis, slice, lists, slice.filter(Filter.TimeRange.class), start.after(),
                    nearestFirst, position, trace);
        }
        // why fetched with one list only: merging several lists' keys keeps the nearest of them, so
        // the others' messages would be read for nothing
        boolean fetch = fetchesMessages(slice);
        // why one list is exact: its keys, messages and boundary come from one script call (a
        // partial hash read again by FT.SEARCH INKEYS must still be every key's, or the read repeats)
        boolean exact = lists.size() == 1;
        Optional<EventId> joinAt = Optional.empty(); // the first attempt's: the earliest
        for (int attempt = 0; attempt < READS; attempt++) {
            OrderWalk.Walked walked = OrderWalk.nearest(jedis, keys, slice, lists, start.after(), slice.count(), nearestFirst,
                    fetch, position && attempt == 0, trace);
            if (attempt == 0) {
                joinAt = walked.position();
            }
            List<OrderKey> expected = walked.keys().stream().filter(k -> OrderWalk.admitted(k, slice)).toList();
            if (expected.isEmpty()) {
                return new Sliced(List.of(), walked.boundary(), joinAt, exact);
            }
            if (fetch && walked.fetched().keySet().containsAll(expected)) {
                return new Sliced(expected.stream().map(walked.fetched()::get).toList(), walked.boundary(), joinAt, exact);
            }
            // a hash that is not the message its key names (a partial hash): FT.SEARCH decides, as before
            Optional<List<Message>> found = search.readExactly(jedis, slice, expected, nearestFirst, trace, null);
            if (found.isPresent()) {
                return new Sliced(found.get(), walked.boundary(), joinAt, exact);
            }
        }
        throw new BackendUnavailableException(BackendUnavailableException.Reason.DISAGREEMENT,
                "idx:messages and the order index of chat " + slice.chatId() + " disagree", null);
    }
}
