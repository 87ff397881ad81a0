package chatcache.redis;

import chatcache.message.CacheIncompleteException;
import chatcache.message.ChatNotHeldException;
import chatcache.rediskit.CommandQueue;
import chatcache.rediskit.LuaScript;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The order of each chat's messages, and of each author's messages in a chat, as sort keys
 * ({@link chatcache.query.MessageOrder}) in Redis: it names the messages of any page in
 * O(log n), so that FT.SEARCH is only ever asked for those, whatever the size of the chat or
 * the depth of the page.
 *
 * <p>A list is a directory sorted set ({@code order:chat:C}, {@code order:chat:C:user:U}) of
 * buckets of at most {@link #bucketSize} keys, each a small sorted set that Redis keeps as a
 * listpack: ~25 bytes per key instead of the ~130 of one large sorted set (see README, Memory).
 * Every operation is one call of {@code schema/lua/order-index.lua}, so it is atomic, and can be
 * queued in a MULTI with the message's hash.
 */
public final class OrderIndex {
    /** why the message names: a trim removes a message's hash and its author's entry, found through the hash. */
    private static final LuaScript SCRIPT = LuaScript.load("order-index", MessageHash.luaNames(), LuaScript.resource("last-event-id"));
    /** The error the script answers a guarded read of a chat the cache does not hold completely. */
    private static final String INCOMPLETE = "INCOMPLETE";
    /** The error it answers when only the chat's held key is missing: Redis holds none of its messages. */
    private static final String NOT_HELD = "NOTHELD";
    /**
     * Redis's default zset-max-listpack-entries: a bucket larger than the server's limit still
     * works, but as a skiplist, with the memory of one.
     */
    public static final int DEFAULT_BUCKET_SIZE = 128;

    private final int bucketSize;

    public OrderIndex(int bucketSize) {
        if (bucketSize < 2) {
            throw new IllegalArgumentException("bucket size must be at least 2: " + bucketSize);
        }
        this.bucketSize = bucketSize;
    }

    /** The chat's list, or its author's. */
    public static String list(KeySpace keys, long chatId, Optional<Long> authorId) {
        return authorId.map(a -> keys.order(chatId, a)).orElseGet(() -> keys.order(chatId));
    }

    /** The directories of every author order index of a chat (SCAN: for rebuilds and checks, not requests). */
    static List<String> authorLists(Jedis jedis, KeySpace keys, long chatId) {
        List<String> lists = new ArrayList<>();
        ScanParams params = new ScanParams()
                .match(keys.order(chatId) + ":user:*").count(1000);
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> page = jedis.scan(cursor, params);
            for (String key : page.getResult()) {
                if (key.indexOf('|') < 0) { // a bucket is <directory>|<bound>
                    lists.add(key);
                }
            }
            cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        return lists;
    }

    /** The author of an author list's directory key. */
    static long authorOf(String authorList) {
        return Long.parseLong(authorList.substring(authorList.lastIndexOf(':') + 1));
    }

    /** The pattern of every key of every list (directories and buckets), for SCAN. */
    static String keyPattern(KeySpace keys) {
        return keys.orderPrefix() + "*";
    }

    /** Queues the addition of sort keys to a list. */
    void add(CommandQueue tx, String list, String... sortKeys) {
        tx.script(SCRIPT, List.of(list), args("add", Integer.toString(bucketSize), sortKeys));
    }

    /**
     * Queues the addition of sort keys to a list of this chat, only while Redis holds the chat and
     * only for keys at or above its boundary ({@link KeySpace#held}): the write script's rule,
     * so that a message's hash and its entries are written together or not at all.
     */
    void addHeld(CommandQueue tx, KeySpace keys, long chatId, String list, String... sortKeys) {
        tx.script(SCRIPT, List.of(list, keys.held(chatId)), args("held", Integer.toString(bucketSize), sortKeys));
    }

    /**
     * Queues the trim of a chat to its newest {@code window} messages, at most {@code max} of them
     * now: each leaves Redis whole (order entries, hash, and its index entry when {@code ftIndex}
     * names an index the hashes are added to by hand, 1.x), and the boundary moves to the oldest
     * key left, in one call. The reply lists the ids trimmed.
     */
    static Response<Object> trim(CommandQueue tx, KeySpace keys, long chatId, int window, int max, String ftIndex) {
        return tx.script(SCRIPT, List.of(keys.order(chatId), keys.held(chatId)),
                List.of("trim", Integer.toString(window), Integer.toString(max), ftIndex));
    }

    /** Queues the removal of sort keys from a list. */
    void remove(CommandQueue tx, String list, String... sortKeys) {
        tx.script(SCRIPT, List.of(list), args("remove", null, sortKeys));
    }

    /** Up to count keys older than from (exclusive; from the newest if empty), newest first. */
    static List<String> older(Jedis jedis, String list, Optional<String> from, int count) {
        return Replies.strings(call(jedis, List.of(list), "older", Integer.toString(count), from.orElse("")));
    }

    /** Up to count keys newer than from (exclusive), oldest first. */
    static List<String> newer(Jedis jedis, String list, String from, int count) {
        return Replies.strings(call(jedis, List.of(list), "newer", Integer.toString(count), from));
    }

    /**
     * Keys of a list read with the chat's boundary, in one call: the sort key of the oldest
     * message Redis holds of the chat ("" when it holds the whole chat). Redis holds every message
     * of the chat at or above the boundary; MySQL alone those below it. {@code edge}: the list's
     * key farthest in the read's direction (its oldest reading older, its newest reading newer;
     * "" when the list is empty): nothing of it lies beyond.
     */
    public record Held(String boundary, String edge, List<String> keys, List<List<String>> messages, List<String> position) {
        public Held(String boundary, String edge, List<String> keys) {
            this(boundary, edge, keys, List.of(), List.of());
        }

        /** Whether Redis holds the whole chat. */
        public boolean whole() {
            return boundary.isEmpty();
        }
    }

    /**
     * {@link #older}, of a list of this chat, in the same call as the check that the cache holds
     * the chat ({@link CacheState}) and the read of its boundary; throws
     * {@link CacheIncompleteException} if it does not hold it.
     */
    public static Held olderInHeld(Jedis jedis, KeySpace keys, long chatId, String list, Optional<String> from, int count) {
        return guarded(jedis, guardedCommand(keys, chatId, list, true, from, count, false, false), chatId, false, false);
    }

    /** {@link #newer} in the same call as the check and the boundary, as {@link #olderInHeld}. */
    public static Held newerInHeld(Jedis jedis, KeySpace keys, long chatId, String list, String from, int count) {
        return guarded(jedis, guardedCommand(keys, chatId, list, false, Optional.of(from), count, false, false), chatId, false, false);
    }

    /**
     * {@link #olderInHeld} or {@link #newerInHeld}; with {@code fetch}, also each key's message
     * fields in the same call ({@link Held#messages}, in {@link MessageHash#FETCHED} order); with
     * {@code position}, where a reader joins the chat's events ({@link Held#position}: the cache's
     * marker and the last event id, as events-position.lua answers them).
     */
    static Held inHeld(Jedis jedis, KeySpace keys, long chatId, String list, boolean older, Optional<String> from, int count,
                       boolean fetch, boolean position) {
        return guarded(jedis, guardedCommand(keys, chatId, list, older, from, count, fetch, position), chatId, fetch, position);
    }

    /** The command {@link #inHeld} sends, as explain shows it. */
    static List<String> guardedCommand(KeySpace keys, long chatId, String list, boolean older, Optional<String> from,
                                       int count, boolean fetch, boolean position) {
        List<String> command = new ArrayList<>(List.of("EVALSHA", SCRIPT.sha(), "4", list, keys.complete(),
                keys.rebuilding(), keys.held(chatId), older ? "older" : "newer", Integer.toString(count),
                from.orElse(""), Long.toString(chatId)));
        if (fetch || position) {
            command.add(fetch ? "fetch" : "");
        }
        if (position) {
            command.add("position");
        }
        return command;
    }

    @SuppressWarnings("unchecked")
    private static Held guarded(Jedis jedis, List<String> command, long chatId, boolean fetch, boolean position) {
        try {
            List<String> keys = command.subList(3, 7);
            List<Object> reply = (List<Object>) SCRIPT.eval(jedis, keys, command.subList(7, command.size()));
            int head = position ? 4 : 2;
            int n = fetch ? (reply.size() - head) / 2 : reply.size() - head;
            List<List<String>> messages = new ArrayList<>(fetch ? n : 0);
            if (fetch) {
                for (Object fields : reply.subList(head + n, reply.size())) {
                    messages.add(Replies.strings(fields));
                }
            }
            return new Held(Replies.text(reply.get(0)), Replies.text(reply.get(1)), Replies.strings(reply.subList(head, head + n)), messages,
                    position ? Replies.strings(reply.subList(2, 4)) : List.of());
        } catch (JedisDataException e) {
            if (String.valueOf(e.getMessage()).startsWith(INCOMPLETE)) {
                throw new CacheIncompleteException(chatId);
            }
            if (String.valueOf(e.getMessage()).startsWith(NOT_HELD)) {
                throw new ChatNotHeldException(chatId);
            }
            throw e;
        }
    }

    /** Every key of the list, oldest first (one call: for checks, not for request paths). */
    static List<String> all(Jedis jedis, String list) {
        return Replies.strings(call(jedis, List.of(list), "all"));
    }

    public static long size(Jedis jedis, String list) {
        return (Long) call(jedis, List.of(list), "size");
    }

    /** The list's directory and bucket keys, for memory probes. */
    public static List<String> keys(Jedis jedis, String list) {
        List<String> keys = new ArrayList<>(List.of(list));
        keys.addAll(Replies.strings(call(jedis, List.of(list), "keys")));
        return keys;
    }

    /** Queues {@link #older}; its keys come from {@link #stringsOf}. */
    static Response<Object> queueOlder(CommandQueue p, String list, Optional<String> from, int count) {
        return p.script(SCRIPT, List.of(list), List.of("older", Integer.toString(count), from.orElse("")));
    }

    /** The keys of a queued read. */
    static List<String> stringsOf(Response<Object> reply) {
        return Replies.strings(reply.get());
    }

    /** Queues the read of the list's keys (as {@link #keys}, without the list itself). */
    static Response<Object> queueKeys(CommandQueue p, String list) {
        return p.script(SCRIPT, List.of(list), List.of("keys"));
    }

    /** The buckets of a {@link #queueKeys} reply, and the list's own key. */
    static List<String> keysOf(String list, Response<Object> reply) {
        List<String> keys = new ArrayList<>(List.of(list));
        keys.addAll(Replies.strings(reply.get()));
        return keys;
    }

    /** How many keys of the list are above {@code key} ('' for all), in O(log n). */
    public static long countAbove(Jedis jedis, String list, String key) {
        return (Long) call(jedis, List.of(list), "after", key);
    }

    /**
     * Queues, for a member of a chat, their read marker and how many messages by others Redis holds
     * above it ("unread"); the reply is {marker sort key or '', count, the chat's boundary or 'none'
     * when Redis does not hold its messages, 'loading' while it is being loaded, the chat's
     * below-epoch or '0'}, or null when the user is no member.
     */
    static Response<Object> unread(CommandQueue p, KeySpace keys, long chatId, long userId) {
        return p.script(SCRIPT, List.of(keys.order(chatId), keys.order(chatId, userId), keys.chat(chatId),
                        keys.held(chatId), keys.rebuilding(), keys.belowEpoch(chatId)),
                List.of("unread", Long.toString(userId), Long.toString(chatId)));
    }

    private static Object call(Jedis jedis, List<String> keys, String... args) {
        return SCRIPT.eval(jedis, keys, List.of(args));
    }

    private static List<String> args(String op, String first, String[] rest) {
        List<String> args = new ArrayList<>(rest.length + 2);
        args.add(op);
        if (first != null) {
            args.add(first);
        }
        args.addAll(List.of(rest));
        return args;
    }

}
