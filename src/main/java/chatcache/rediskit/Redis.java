package chatcache.rediskit;

import chatcache.core.BackendUnavailableException;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.Pool;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Where Redis work runs, and the one mapping of Jedis's failures to {@link BackendUnavailableException}:
 * every adapter runs its Redis work through {@link #call}, {@link #run} or {@link #eachOwner},
 * so that a caller only ever sees the service's exception, with why (unreachable, timed out,
 * failed).
 *
 * <p>Every piece of work names its <em>route</em>: a key whose slot holds every key it touches
 * (a group's {@link chatcache.redis.KeySpace#route}, or the one key it works on). On one Redis (or
 * a Sentinel's primary) the route is not needed and every action runs on a connection of the
 * pool; on a Redis Cluster it runs on the primary that owns the route's slot
 * ({@link RedisCluster#onSlotOf}). why the route at every call, also on one Redis: the compiler
 * then finds every place a cluster would need one.
 */
public final class Redis implements AutoCloseable {
    private final Pool<Jedis> pool;
    private final RedisCluster cluster;

    /** One Redis, or the primary a Sentinel names. */
    public Redis(Pool<Jedis> pool) {
        this.pool = pool;
        this.cluster = null;
    }

    /** A Redis Cluster. */
    public Redis(RedisCluster cluster) {
        this.pool = null;
        this.cluster = cluster;
    }

    /** The pool of one Redis (or of a Sentinel's primary); empty on a cluster, which has none. */
    public java.util.Optional<Pool<Jedis>> pool() {
        return java.util.Optional.ofNullable(pool);
    }

    /** The cluster, when this is one (what only a cluster does: moving slots). */
    public java.util.Optional<RedisCluster> cluster() {
        return java.util.Optional.ofNullable(cluster);
    }

    /** Closes the pool, or the cluster's connections. */
    @Override
    public void close() {
        if (pool != null) {
            pool.close();
        } else {
            cluster.close();
        }
    }

    /**
     * Runs the action where the route's slot is (see the class comment).
     *
     * @param route a key of the slot of every key the action touches
     * @param what  what the action does, for the error: "Redis could not " + what
     */
    public <T> T call(String route, String what, Function<Jedis, T> action) {
        if (cluster != null) {
            return cluster.onSlotOf(route, what, action);
        }
        try (Jedis jedis = pool.getResource()) {
            return action.apply(jedis);
        } catch (JedisException e) {
            throw unavailable(what, e);
        }
    }

    /** {@link #call} for an action without an answer. */
    public void run(String route, String what, Consumer<Jedis> action) {
        call(route, what, jedis -> {
            action.accept(jedis);
            return null;
        });
    }

    /**
     * Runs work over many routes (every group's keys, say) with as few connections as the
     * deployment allows: on one Redis, one action with every item; on a cluster, one per primary,
     * with the items whose route's slot it owns as far as the map of slots knows. The action may
     * pipeline; it must keep each command, transaction and script to one item's keys. A slot
     * that moved meanwhile answers {@code MOVED}, and the whole action runs again on the node the
     * reply names ({@link RedisCluster#onSlotOf}), where the other items' slots answer MOVED in
     * turn: while slots move, such work may fail as Redis unavailable (reads fall back to MySQL,
     * writes wait in the outbox) rather than follow each item. why not one action per item:
     * GET /me/unread over 16 groups on 3 primaries made 16 round trips a request (bench run S:
     * 238 requests/s; 809 one per primary; 1,527 on one Redis).
     *
     * @return each action's answer
     */
    public <K, T> List<T> eachOwner(Collection<K> items, Function<K, String> routeOf, String what,
                                    BiFunction<Jedis, List<K>, T> action) {
        if (items.isEmpty()) {
            return List.of();
        }
        if (cluster == null) {
            List<K> all = List.copyOf(items);
            return Collections.singletonList(call("", what, jedis -> action.apply(jedis, all)));
        }
        Map<String, List<K>> byPrimary = new LinkedHashMap<>();
        for (K item : items) {
            byPrimary.computeIfAbsent(String.valueOf(cluster.ownerOf(RedisCluster.slot(routeOf.apply(item)))),
                    node -> new ArrayList<>()).add(item);
        }
        List<T> answers = new ArrayList<>(byPrimary.size());
        for (List<K> onOne : byPrimary.values()) {
            answers.add(call(routeOf.apply(onOne.get(0)), what, jedis -> action.apply(jedis, List.copyOf(onOne))));
        }
        return answers;
    }

    /**
     * Runs the action on every primary (work about the servers rather than keys: INFO, SCAN): on
     * one Redis once, on a cluster on each of its primaries.
     *
     * @return each primary's answer
     */
    public <T> List<T> onEveryPrimary(String what, Function<Jedis, T> action) {
        if (cluster == null) {
            return Collections.singletonList(call("", what, action));
        }
        return List.copyOf(cluster.onEveryPrimary(what, action).values());
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
