package chatcache.redis;

import chatcache.rediskit.Redis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * Each chat's version ({@code chatcache:version:<chat>}, {@link KeySpace#version}): a number that every change Redis makes
 * to the chat's messages moves on, in the same script as the change (append_event in
 * schema/lua/append-event.lua: posts, edits, deletes, read marks, loads and evictions). Pages kept
 * in memory (message.HotPages) are reused only at the version they were read at. Trims move no
 * version: the messages a page shows are the same whether its oldest are in the window or below it.
 */
final class ChatVersions {
    private final Redis redis;
    private final ChatGroups groups;

    ChatVersions(Redis redis, ChatGroups groups) {
        this.redis = redis;
        this.groups = groups;
    }

    /**
     * The chat's version, read with the checks that Redis holds all of it (the cache complete, the
     * chat held and not being rebuilt), in one round trip; empty when it does not, or has never
     * changed the chat since its version was lost.
     */
    OptionalLong read(long chatId) {
        KeySpace keys = groups.of(chatId);
        return redis.call(keys.route(), "read a chat's version", jedis -> {
            Pipeline p = jedis.pipelined();
            Supplier<Boolean> complete = CacheState.holds(p, keys, chatId);
            Response<Boolean> held = p.exists(keys.held(chatId));
            Response<String> version = p.get(keys.version(chatId));
            p.sync();
            if (!complete.get() || !held.get() || version.get() == null) {
                return OptionalLong.empty();
            }
            return OptionalLong.of(Long.parseLong(version.get()));
        });
    }
}
