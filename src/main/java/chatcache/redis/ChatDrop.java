package chatcache.redis;

import chatcache.events.ChatEvents;
import chatcache.rediskit.LuaScript;
import chatcache.rediskit.Redis;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Takes a whole chat's messages out of Redis (eviction, or a load that failed half-way): first
 * the chat stops being held (one call: from then on its writes skip Redis and its readers go to
 * MySQL), then its messages go in batches (hash, index entry on 1.x, order lists), outside any
 * request. The caller holds the chat's lock, so no load of the chat runs meanwhile.
 */
final class ChatDrop {
    private static final LuaScript DROP = EventAppend.script("chat-drop");
    /** Messages deleted per round trip. */
    private static final int BATCH = 500;

    private final Redis redis;
    private final SearchIndex index;
    /** The ARGV that the script passes on to append_event (see {@link EventAppend}). */
    private final List<String> eventArgs;

    ChatDrop(Redis redis, SearchIndex index, List<String> eventArgs) {
        this.redis = redis;
        this.index = index;
        this.eventArgs = eventArgs;
    }

    /** Drops the chat; returns how many of its messages were deleted. */
    long drop(long chatId) {
        return redis.call("drop a chat from Redis", jedis -> {
            List<String> dropKeys = new ArrayList<>(List.of(CacheState.heldKey(chatId)));
            dropKeys.addAll(EventAppend.guardKeys());
            dropKeys.add(CacheState.READS);
            dropKeys.add(ChatEvents.key(chatId));
            dropKeys.add(CacheState.LOADING);
            List<String> args = new ArrayList<>(eventArgs);
            args.add(Long.toString(chatId));
            args.add(ChatEvents.CHAT_EVICTED);
            DROP.eval(jedis, dropKeys, args);
            String list = OrderIndex.chatList(chatId);
            Set<Long> authors = new TreeSet<>();
            long deleted = 0;
            Optional<String> from = Optional.empty();
            while (true) {
                List<String> keys = OrderIndex.older(jedis, list, from, BATCH);
                if (keys.isEmpty()) {
                    break;
                }
                deleted += deleteMessages(jedis, keys, authors);
                from = Optional.of(keys.get(keys.size() - 1));
            }
            List<String> lists = new ArrayList<>(List.of(list));
            authors.forEach(a -> lists.add(OrderIndex.authorList(chatId, a)));
            for (String l : lists) {
                jedis.unlink(OrderIndex.keys(jedis, l).toArray(String[]::new));
            }
            return deleted;
        });
    }

    private long deleteMessages(Jedis jedis, List<String> sortKeys, Set<Long> authors) {
        Pipeline p = jedis.pipelined();
        List<Long> ids = sortKeys.stream().map(k -> chatcache.query.OrderKey.ofSortKey(k).id()).toList();
        List<Response<String>> users = ids.stream().map(id -> p.hget(MessageHash.key(id), chatcache.query.MessageField.USER_ID.redisField())).toList();
        p.sync();
        users.forEach(u -> {
            if (u.get() != null) {
                authors.add(Long.parseLong(u.get()));
            }
        });
        Pipeline d = jedis.pipelined();
        for (long id : ids) {
            if (index.indexesExplicitly()) {
                d.sendCommand(SearchCommand.DEL, SearchIndex.NAME, MessageHash.key(id));
            }
            d.unlink(MessageHash.key(id));
        }
        d.syncAndReturnAll(); // FT.DEL of a hash the index never held answers an error: nothing to do
        return ids.size();
    }
}
