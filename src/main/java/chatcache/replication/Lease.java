package chatcache.replication;

import chatcache.rediskit.LuaScript;
import chatcache.rediskit.Redis;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.Pool;
import redis.clients.jedis.params.SetParams;

import java.util.List;
import java.util.Optional;

/**
 * Work that one instance at a time should do (a rebuild), claimed with a key in Redis that names
 * the holder and expires: the holder renews it while it works; if it dies, the key expires and
 * another instance takes over. The key lives where the work happens: if Redis loses its data,
 * the lease goes with it, and the holder learns so at its next renewal and stops.
 */
public final class Lease {
    private static final LuaScript RENEW = LuaScript.load("lease-renew");
    private static final LuaScript RELEASE = LuaScript.load("lease-release");

    private final Redis redis;
    private final String key;
    private final Instance instance;
    private final long ttlMillis;

    public Lease(Redis redis, String key, Instance instance, long ttlMillis) {
        this.redis = redis;
        this.key = key;
        this.instance = instance;
        this.ttlMillis = ttlMillis;
    }

    /** Takes the lease if nobody holds it; true if this instance holds it now. */
    public boolean tryAcquire() {
        return redis.call(key, what(), jedis -> "OK".equals(jedis.set(key, instance.name(), SetParams.setParams().nx().px(ttlMillis))));
    }

    /** Extends the lease; false if this instance no longer holds it (it expired, or Redis lost it). */
    public boolean renew() {
        return redis.call(key, what(), jedis -> Long.valueOf(1).equals(RENEW.eval(jedis, List.of(key), List.of(instance.name(), Long.toString(ttlMillis)))));
    }

    /** Gives the lease up, if this instance still holds it. */
    public void release() {
        redis.run(key, what(), jedis -> RELEASE.eval(jedis, List.of(key), List.of(instance.name())));
    }

    /** The instance holding the lease, if any. */
    public Optional<String> holder() {
        return redis.call(key, what(), jedis -> Optional.ofNullable(jedis.get(key)));
    }

    private String what() {
        return "serve the lease " + key;
    }
}
