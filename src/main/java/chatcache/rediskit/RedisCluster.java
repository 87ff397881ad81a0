package chatcache.rediskit;

import chatcache.core.BackendUnavailableException;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.exceptions.JedisClusterOperationException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisMovedDataException;
import redis.clients.jedis.providers.ClusterConnectionProvider;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.function.Function;

/**
 * A Redis Cluster, worked with one slot at a time: an action for a key runs on a {@link Jedis}
 * connection to the primary that owns the key's slot, so that the toolkit's pipelines
 * ({@link Pipelines}), transactions ({@link Transactions}) and scripts ({@link LuaScript}, loaded
 * on that node when it does not know them) work there as on one Redis. RediSearch's commands name
 * their index as their key, so an index's commands run on the node of the index name's slot
 * (docs/cluster-notes.md).
 *
 * <p>How a slot that moves is followed: a {@code MOVED} reply (the slot has a new owner, or this
 * map of slots was stale) makes the map be read again and the action run again on the node the
 * reply names,
 * {@value #ATTEMPTS} attempts in all; a node that cannot be reached (dead, its replica not yet
 * promoted) makes the map be read again and the action fail as Redis unavailable. Everything a
 * slot being moved answers ({@code ASK}, {@code TRYAGAIN}, a script's "non local key") and
 * {@code CLUSTERDOWN} fail as Redis unavailable, so that a read falls back to MySQL and a write's
 * copy waits in the outbox; once the move ends, the slot answers {@code MOVED} and is followed.
 * why not follow {@code ASK}: {@code ASKING} holds for one command, not for a pipeline or for a
 * script whose keys have not all moved yet.
 */
public final class RedisCluster implements AutoCloseable {
    static final int ATTEMPTS = 3;

    private final ClusterConnectionProvider provider;
    private final JedisClientConfig client;

    /**
     * Reads the map of slots from the first seed that answers.
     *
     * @throws BackendUnavailableException when no seed answers
     */
    public RedisCluster(Collection<HostAndPort> seeds, JedisClientConfig client, GenericObjectPoolConfig<Connection> pool) {
        this.client = client;
        try {
            this.provider = new ClusterConnectionProvider(new LinkedHashSet<>(seeds), client, pool);
        } catch (JedisException e) {
            throw Redis.unavailable("read the cluster's slots from " + seeds, e);
        }
    }

    /** The slot of a key (its hash tag's, if it has one), as Redis computes it. */
    public static int slot(String key) {
        return JedisClusterCRC16.getSlot(key);
    }

    /**
     * Runs the action on the primary that owns the key's slot (see the class comment for what
     * happens while slots move). The action must be idempotent, as for {@link Pipelines}' repeat
     * after NOSCRIPT: Redis answers {@code MOVED} per command, so a move that ends between two
     * commands of one action has run the first on the old owner (whose keys then moved with the
     * slot), and the whole action runs again on the new one.
     *
     * @param what what the action does, for the error: "Redis could not " + what
     */
    public <T> T onSlotOf(String key, String what, Function<Jedis, T> action) {
        int slot = slot(key);
        JedisException last = null;
        HostAndPort named = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try (Jedis jedis = new Jedis(named == null ? connectionTo(slot, what) : connectionTo(named, what))) {
                return action.apply(jedis);
            } catch (JedisException e) {
                last = e;
                JedisMovedDataException moved = moved(e);
                if (moved != null) {
                    // why the node it names: the map may lag (a refresh already under way does nothing)
                    named = moved.getTargetNode();
                    renewSlots();
                    continue;
                }
                if (unreachable(e)) {
                    renewSlots();
                }
                throw Redis.unavailable(what, e);
            }
        }
        throw Redis.unavailable(what + " (slot " + slot + " kept moving over " + ATTEMPTS + " attempts)", last);
    }

    /**
     * Runs the action on every primary in turn (work over the whole key space: SCAN, FT._LIST),
     * and returns each one's answer by its {@code host:port}.
     */
    public <T> Map<String, T> onEveryPrimary(String what, Function<Jedis, T> action) {
        Map<String, T> answers = new LinkedHashMap<>();
        Map<String, ConnectionPool> primaries;
        try {
            primaries = provider.getPrimaryNodes();
        } catch (JedisException e) {
            throw Redis.unavailable(what, e);
        }
        for (Map.Entry<String, ConnectionPool> node : primaries.entrySet()) {
            try (Jedis jedis = new Jedis(node.getValue().getResource())) {
                answers.put(node.getKey(), action.apply(jedis));
            } catch (JedisException e) {
                if (unreachable(e)) {
                    renewSlots();
                }
                throw Redis.unavailable(what + " on " + node.getKey(), e);
            }
        }
        return answers;
    }

    /**
     * Moves a slot to another primary, as {@code redis-cli --cluster reshard} moves one (the
     * target imports it, the source migrates it, its keys are moved in batches with MIGRATE, then
     * every primary is told the new owner: the target first, then the source, then the others),
     * with one step of ours: {@code beforeKeys} runs on the target once it imports the slot and
     * before any key moves, each of its commands after {@code ASKING} (what a RediSearch index of
     * the slot's keys must be created with, so that it indexes them as they arrive). Keys are
     * moved with REPLACE (a key the target has of a slot it does not own is a leftover).
     *
     * @param progress told the count of keys moved after each batch
     * @return the count of keys moved
     */
    public long moveSlot(int slot, HostAndPort to, java.util.function.Consumer<Jedis> beforeKeys,
                         java.util.function.LongConsumer progress) {
        String what = "move slot " + slot + " to " + to;
        renewSlots();
        HostAndPort from = ownerOf(slot);
        if (from == null) {
            throw new BackendUnavailableException(BackendUnavailableException.Reason.UNREACHABLE,
                    "Redis could not " + what + ": no node owns it", null);
        }
        if (from.equals(to)) {
            return 0;
        }
        try (Jedis source = new Jedis(connectionTo(from, what)); Jedis target = new Jedis(connectionTo(to, what))) {
            String sourceId = source.clusterMyId();
            String targetId = target.clusterMyId();
            target.clusterSetSlotImporting(slot, sourceId);
            beforeKeys.accept(target);
            source.clusterSetSlotMigrating(slot, targetId);
            redis.clients.jedis.params.MigrateParams params = redis.clients.jedis.params.MigrateParams.migrateParams().replace();
            if (client.getPassword() != null) {
                params = client.getUser() == null ? params.auth(client.getPassword()) : params.auth2(client.getUser(), client.getPassword());
            }
            long moved = 0;
            java.util.List<String> keys;
            while (!(keys = source.clusterGetKeysInSlot(slot, MOVE_BATCH)).isEmpty()) {
                source.migrate(to.getHost(), to.getPort(), MIGRATE_TIMEOUT_MILLIS, params, keys.toArray(String[]::new));
                moved += keys.size();
                progress.accept(moved);
            }
            target.clusterSetSlotNode(slot, targetId);
            source.clusterSetSlotNode(slot, targetId);
            for (Map.Entry<String, ConnectionPool> node : provider.getPrimaryNodes().entrySet()) {
                HostAndPort at = HostAndPort.from(node.getKey());
                if (!at.equals(from) && !at.equals(to)) {
                    try (Jedis other = new Jedis(node.getValue().getResource())) {
                        other.clusterSetSlotNode(slot, targetId);
                    }
                }
            }
            renewSlots();
            return moved;
        } catch (JedisException e) {
            throw Redis.unavailable(what + " (a slot left importing or migrating is finished by redis-cli --cluster fix)", e);
        }
    }

    /** The primaries, as this map of slots knows them. */
    public java.util.Set<HostAndPort> primaries() {
        try {
            return provider.getPrimaryNodes().keySet().stream().map(HostAndPort::from)
                    .collect(java.util.stream.Collectors.toUnmodifiableSet());
        } catch (JedisException e) {
            throw Redis.unavailable("list the primaries", e);
        }
    }

    /** Keys moved by one MIGRATE (redis-cli's default is 10; a group's hashes are small). */
    private static final int MOVE_BATCH = 100;
    private static final int MIGRATE_TIMEOUT_MILLIS = 60_000;

    /** The primary that owns the slot now, as far as this map knows. */
    public HostAndPort ownerOf(int slot) {
        return provider.getNode(slot);
    }

    private Connection connectionTo(int slot, String what) {
        try {
            // why not getConnectionFromSlot: for a slot it has no owner of, it lends a random primary's
            HostAndPort owner = provider.getNode(slot);
            if (owner == null) {
                renewSlots();
                owner = provider.getNode(slot);
            }
            if (owner == null) {
                throw new BackendUnavailableException(BackendUnavailableException.Reason.UNREACHABLE,
                        "Redis could not " + what + ": no node of the cluster owns slot " + slot, null);
            }
            return provider.getConnection(owner);
        } catch (JedisException e) {
            if (unreachable(e)) {
                renewSlots(); // why: its replica may own the slot by the next call
            }
            throw Redis.unavailable(what, e);
        }
    }

    private Connection connectionTo(HostAndPort node, String what) {
        try {
            return provider.getConnection(node);
        } catch (JedisException e) {
            throw Redis.unavailable(what, e);
        }
    }

    private void renewSlots() {
        try {
            provider.renewSlotCache();
        } catch (JedisException e) {
            // why quietly: the next action finds out whether the cluster answers again
        }
    }

    /** A MOVED reply, alone, in a pipeline's response, or behind a transaction's EXECABORT. */
    private static JedisMovedDataException moved(Throwable e) {
        if (e instanceof JedisMovedDataException m) {
            return m;
        }
        for (Throwable s : e.getSuppressed()) {
            if (s instanceof JedisMovedDataException m) {
                return m;
            }
        }
        return e.getCause() != null && e.getCause() != e ? moved(e.getCause()) : null;
    }

    private static boolean unreachable(JedisException e) {
        return e instanceof JedisConnectionException
                || e instanceof JedisClusterOperationException && e.getCause() instanceof JedisConnectionException;
    }

    @Override
    public void close() {
        provider.close();
    }
}
