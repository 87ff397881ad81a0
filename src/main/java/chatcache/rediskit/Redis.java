package chatcache.rediskit;

import chatcache.core.BackendUnavailableException;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.Pool;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;

import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A connection pool and the one mapping of Jedis's failures to {@link BackendUnavailableException}:
 * every adapter runs its Redis work through {@link #call} or {@link #run}, so that a caller only
 * ever sees the service's exception, with why (unreachable, timed out, failed).
 */
public final class Redis {
    private final Pool<Jedis> pool;

    public Redis(Pool<Jedis> pool) {
        this.pool = pool;
    }

    /**
     * Runs the action on a connection of the pool.
     *
     * @param what what the action does, for the error: "Redis could not " + what
     */
    public <T> T call(String what, Function<Jedis, T> action) {
        try (Jedis jedis = pool.getResource()) {
            return action.apply(jedis);
        } catch (JedisException e) {
            throw unavailable(what, e);
        }
    }

    /** {@link #call} for an action without an answer. */
    public void run(String what, Consumer<Jedis> action) {
        call(what, jedis -> {
            action.accept(jedis);
            return null;
        });
    }

    /**
     * The failure, with why: Redis unreachable (or no connection free in the pool), a query timed
     * out (RediSearch's ON_TIMEOUT FAIL answers an error naming the timeout), or anything else.
     */
    public static BackendUnavailableException unavailable(String what, JedisException e) {
        BackendUnavailableException.Reason reason;
        // why the cause: a cluster client wraps the connection failure of its last attempt
        if (e instanceof JedisConnectionException || e.getCause() instanceof JedisConnectionException
                || e.getCause() instanceof NoSuchElementException) {
            reason = BackendUnavailableException.Reason.UNREACHABLE;
        } else if (String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("timeout")) {
            reason = BackendUnavailableException.Reason.TIMEOUT;
        } else {
            reason = BackendUnavailableException.Reason.FAILED;
        }
        return new BackendUnavailableException(reason, "Redis could not " + what + ": " + e.getMessage(), e);
    }
}
