package chatcache.replication;

import chatcache.redis.ChatGroups;
import chatcache.rediskit.LuaScript;
import chatcache.rediskit.Pipelines;
import chatcache.rediskit.Redis;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.SetParams;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One loader (rebuild, warm-up, a new chat's load) or evictor of a chat at a time, across
 * instances: a key per chat in Redis naming the holder's token, which expires if the holder
 * dies and is renewed while it works. why in Redis: if Redis loses its data, the lock goes with
 * what it protected.
 */
final class ChatLocks {
    /** How long a lock outlives its holder's last renewal. */
    static final long TTL_MILLIS = 60_000;
    private static final LuaScript RENEW = LuaScript.load("lease-renew");
    private static final LuaScript RELEASE = LuaScript.load("lease-release");

    private final Redis redis;
    private final ChatGroups groups;

    ChatLocks(Redis redis, ChatGroups groups) {
        this.redis = redis;
        this.groups = groups;
    }

    /** Takes the locks of those chats nobody holds, in one round trip: their tokens, by chat. */
    Map<Long, String> tryLockAll(Collection<Long> chatIds) {
        if (chatIds.isEmpty()) {
            return Map.of();
        }
        Map<Long, String> taken = new LinkedHashMap<>();
        eachGroup(chatIds, "lock chats", (jedis, inReach) -> {
            Pipeline p = jedis.pipelined();
            Map<Long, String> tokens = new LinkedHashMap<>();
            Map<Long, Response<String>> replies = new LinkedHashMap<>();
            for (long chat : inReach) {
                String token = UUID.randomUUID().toString();
                tokens.put(chat, token);
                replies.put(chat, p.set(groups.of(chat).lock(chat), token, SetParams.setParams().nx().px(TTL_MILLIS)));
            }
            p.sync();
            replies.forEach((chat, reply) -> {
                if ("OK".equals(reply.get())) {
                    taken.put(chat, tokens.get(chat));
                }
            });
            return true;
        });
        return taken;
    }

    /**
     * The work for each group's part of the chats, on the connections that reach them (one on
     * one Redis); true when every part's answer is.
     */
    private boolean eachGroup(Collection<Long> chatIds, String what, java.util.function.BiFunction<Jedis, List<Long>, Boolean> action) {
        return groups.eachOwner(redis, chatIds, Long::longValue, what,
                (jedis, parts) -> action.apply(jedis, parts.stream().flatMap(part -> part.getValue().stream()).toList()))
                .stream().allMatch(Boolean::booleanValue);
    }

    /** The chat's lock, if nobody holds it: its token. */
    java.util.Optional<String> tryLock(long chatId) {
        return java.util.Optional.ofNullable(tryLockAll(List.of(chatId)).get(chatId));
    }

    /** Extends the lock; false if this holder lost it (it expired, or Redis lost its data). */
    boolean renew(long chatId, String token) {
        return renewAll(Map.of(chatId, token));
    }

    /** Extends these locks in one round trip; false if this holder lost any of them. */
    boolean renewAll(Map<Long, String> tokens) {
        if (tokens.isEmpty()) {
            return true;
        }
        return eachGroup(tokens.keySet(), "renew chats' locks", (jedis, inReach) -> Pipelines.run(jedis, queue -> {
            List<Response<Object>> replies = new java.util.ArrayList<>();
            inReach.forEach(chat -> replies.add(queue.script(RENEW, List.of(groups.of(chat).lock(chat)),
                    List.of(tokens.get(chat), Long.toString(TTL_MILLIS)))));
            return () -> replies.stream().allMatch(r -> Long.valueOf(1).equals(r.get()));
        }));
    }

    /** Gives these locks up, where this holder still holds them. */
    void unlockAll(Map<Long, String> tokens) {
        if (tokens.isEmpty()) {
            return;
        }
        eachGroup(tokens.keySet(), "unlock chats", (jedis, inReach) -> Pipelines.run(jedis, queue -> {
            inReach.forEach(chat -> queue.script(RELEASE, List.of(groups.of(chat).lock(chat)), List.of(tokens.get(chat))));
            return () -> true;
        }));
    }
}
