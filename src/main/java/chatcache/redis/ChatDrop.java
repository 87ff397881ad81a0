package chatcache.redis;

import chatcache.events.ChatEvents;
import chatcache.rediskit.LuaScript;
import chatcache.rediskit.Pipelines;
import chatcache.rediskit.Redis;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    private final ChatGroups groups;
    private final SearchIndex index;
    /** The ARGV that the script passes on to append_event (see {@link EventAppend}). */
    private final List<String> eventArgs;

    ChatDrop(Redis redis, ChatGroups groups, SearchIndex index, List<String> eventArgs) {
        this.redis = redis;
        this.groups = groups;
        this.index = index;
        this.eventArgs = eventArgs;
    }

    /** Drops the chat; returns how many of its messages were deleted. */
    long drop(long chatId) {
        return dropAll(List.of(chatId));
    }

    /**
     * Drops these chats together; returns how many of their messages were deleted. why together:
     * eviction runs while readers load Redis, where each round trip waits its turn behind their
     * searches; chats dropped together share every round trip (about six for chats within a batch).
     */
    long dropAll(List<Long> chatIds) {
        if (chatIds.isEmpty()) {
            return 0;
        }
        return groups.eachOwner(redis, chatIds, Long::longValue, "drop chats from Redis",
                (jedis, parts) -> dropAll(jedis, parts.stream().flatMap(part -> part.getValue().stream()).toList()))
                .stream().mapToLong(Long::longValue).sum();
    }

    /** {@link #dropAll(List)} on one connection, for chats whose keys it reaches. */
    private long dropAll(Jedis jedis, List<Long> chatIds) {
            Pipelines.run(jedis, queue -> {
                chatIds.forEach(chat -> queue.script(DROP, dropKeys(chat), dropArgs(chat)));
                return () -> null;
            });
            Set<String> lists = new TreeSet<>();
            Map<Long, Optional<String>> left = new LinkedHashMap<>();
            chatIds.forEach(chat -> {
                left.put(chat, Optional.empty());
                lists.add(groups.of(chat).order(chat));
            });
            long deleted = 0;
            while (!left.isEmpty()) {
                Map<Long, List<String>> pages = Pipelines.run(jedis, queue -> {
                    Map<Long, Response<Object>> replies = new LinkedHashMap<>();
                    left.forEach((chat, from) -> replies.put(chat, OrderIndex.queueOlder(queue, groups.of(chat).order(chat), from, BATCH)));
                    return () -> {
                        Map<Long, List<String>> out = new LinkedHashMap<>();
                        replies.forEach((chat, reply) -> out.put(chat, OrderIndex.stringsOf(reply)));
                        return out;
                    };
                });
                deleted += deleteMessages(jedis, pages, lists);
                pages.forEach((chat, keys) -> {
                    if (keys.size() < BATCH) {
                        left.remove(chat); // its oldest were among them
                    } else {
                        left.put(chat, Optional.of(keys.get(keys.size() - 1)));
                    }
                });
            }
            List<String> all = new ArrayList<>(lists);
            List<List<String>> buckets = Pipelines.run(jedis, queue -> {
                List<Response<Object>> replies = all.stream().map(l -> OrderIndex.queueKeys(queue, l)).toList();
                return () -> {
                    List<List<String>> keys = new ArrayList<>();
                    for (int i = 0; i < all.size(); i++) {
                        keys.add(OrderIndex.keysOf(all.get(i), replies.get(i)));
                    }
                    return keys;
                };
            });
            // why an UNLINK per list: a list's keys share its chat's group (one slot on a Redis Cluster)
            Pipeline unlink = jedis.pipelined();
            buckets.stream().filter(keys -> !keys.isEmpty()).forEach(keys -> unlink.unlink(keys.toArray(String[]::new)));
            unlink.sync();
            return deleted;
    }

    private List<String> dropKeys(long chatId) {
        KeySpace space = groups.of(chatId);
        List<String> keys = new ArrayList<>(List.of(space.held(chatId)));
        keys.addAll(EventAppend.guardKeys(space));
        keys.add(space.chatReads());
        keys.add(space.events(chatId));
        keys.add(space.loading());
        keys.add(space.followed());
        return keys;
    }

    private List<String> dropArgs(long chatId) {
        List<String> args = new ArrayList<>(eventArgs);
        args.add(Long.toString(chatId));
        args.add(ChatEvents.CHAT_EVICTED);
        return args;
    }

    /**
     * Deletes the messages of these sort keys (by chat): hash and, on 1.x, index entry; adds the
     * author lists they were in to {@code lists}. Two round trips.
     */
    private long deleteMessages(Jedis jedis, Map<Long, List<String>> sortKeysByChat, Set<String> lists) {
        Pipeline p = jedis.pipelined();
        Map<Long, List<Long>> ids = new LinkedHashMap<>();
        Map<Long, List<Response<String>>> users = new LinkedHashMap<>();
        sortKeysByChat.forEach((chat, keys) -> {
            List<Long> chatIds = keys.stream().map(k -> chatcache.query.OrderKey.ofSortKey(k).id()).toList();
            ids.put(chat, chatIds);
            users.put(chat, chatIds.stream()
                    .map(id -> p.hget(groups.of(chat).message(id), chatcache.query.MessageField.USER_ID.redisField())).toList());
        });
        p.sync();
        users.forEach((chat, authors) -> authors.forEach(u -> {
            if (u.get() != null) {
                lists.add(groups.of(chat).order(chat, Long.parseLong(u.get())));
            }
        }));
        Pipeline d = jedis.pipelined();
        long deleted = 0;
        for (Map.Entry<Long, List<Long>> chat : ids.entrySet()) {
            KeySpace space = groups.of(chat.getKey());
            for (long id : chat.getValue()) {
                if (index.indexesExplicitly()) {
                    d.sendCommand(SearchCommand.DEL, space.index(), space.message(id));
                }
                d.unlink(space.message(id));
                deleted++;
            }
        }
        d.syncAndReturnAll(); // FT.DEL of a hash the index never held answers an error: nothing to do
        return deleted;
    }
}
