package chatcache.replication;

import chatcache.core.BackendUnavailableException;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.exceptions.JedisException;
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
    private static final String RENEW = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
                return redis.call('PEXPIRE', KEYS[1], ARGV[2])
            end
            return 0""";
    private static final String RELEASE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
                return redis.call('DEL', KEYS[1])
            end
            return 0""";

    private final JedisPool pool;
    private final String key;
    private final Instance instance;
    private final long ttlMillis;

    public Lease(JedisPool pool, String key, Instance instance, long ttlMillis) {
        this.pool = pool;
        this.key = key;
        this.instance = instance;
        this.ttlMillis = ttlMillis;
    }

    /** Takes the lease if nobody holds it; true if this instance holds it now. */
    public boolean tryAcquire() {
        return run(jedis -> "OK".equals(jedis.set(key, instance.name(), SetParams.setParams().nx().px(ttlMillis))));
    }

    /** Extends the lease; false if this instance no longer holds it (it expired, or Redis lost it). */
    public boolean renew() {
        return run(jedis -> Long.valueOf(1).equals(jedis.eval(RENEW, List.of(key), List.of(instance.name(), Long.toString(ttlMillis)))));
    }

    /** Gives the lease up, if this instance still holds it. */
    public void release() {
        run(jedis -> jedis.eval(RELEASE, List.of(key), List.of(instance.name())));
    }

    /** The instance holding the lease, if any. */
    public Optional<String> holder() {
        return run(jedis -> Optional.ofNullable(jedis.get(key)));
    }

    private <T> T run(java.util.function.Function<Jedis, T> action) {
        try (Jedis jedis = pool.getResource()) {
            return action.apply(jedis);
        } catch (JedisException e) {
            throw new BackendUnavailableException("Redis unavailable for the lease " + key + ": " + e.getMessage(), e);
        }
    }
}
