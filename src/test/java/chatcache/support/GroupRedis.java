package chatcache.support;

import chatcache.redis.KeySpace;
import chatcache.rediskit.Redis;
import redis.clients.jedis.Jedis;

import java.util.function.BiConsumer;
import java.util.function.BiFunction;

/**
 * The Redis that holds one group's keys, with their names: how a test reaches the keys of a chat
 * ({@link TestStores#redisOf}). On one Redis that is a connection of its pool; on a Redis Cluster
 * a connection to the primary that owns the group's slot, where a key of another group answers
 * {@code MOVED} (a test that named another chat's key fails instead of reading nothing).
 */
public record GroupRedis(Redis redis, KeySpace keys) {
    /** Runs the action with a connection to the group's Redis and the group's names; returns its answer. */
    public <T> T call(BiFunction<Jedis, KeySpace, T> action) {
        return redis.call(keys.route(), "run a test's commands on " + keys, jedis -> action.apply(jedis, keys));
    }

    /** {@link #call} for an action without an answer. */
    public void run(BiConsumer<Jedis, KeySpace> action) {
        redis.run(keys.route(), "run a test's commands on " + keys, jedis -> action.accept(jedis, keys));
    }
}
