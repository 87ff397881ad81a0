package chatcache.rediskit;

import chatcache.core.BackendUnavailableException;
import redis.clients.jedis.Jedis;

import java.util.Optional;

/**
 * How many replicas must hold a write before it is acknowledged outside Redis (a client shown its
 * read marks, an outbox entry deleted from MySQL, a read mark applied to MySQL), and how long to
 * wait for them. why: Redis replicates asynchronously, so a primary that dies takes its last
 * writes with it and Sentinel (or the cluster) promotes a replica without them. What MySQL still
 * holds an outbox entry for is copied again; what Redis alone holds (read marks on their way to
 * MySQL) must reach a replica before anyone is told it happened.
 *
 * <p>Redis's WAIT answers for the writes of the connection it runs on; {@link #confirm} first
 * makes a write of its own (to a barrier key the caller names: on a Redis Cluster, one of the
 * node's own slots), which the replication stream carries after every write any
 * connection made before it, so that one WAIT covers them all, and names the primary it ran on
 * (its replication id: a promoted replica gets a new one, a demoted primary takes its new
 * primary's), so that a caller can tell writes made on another primary from those it covers.
 * A primary with fewer replicas connected than asked for (its replica lost, or itself just
 * promoted) confirms nothing, at once, without waiting: writes that only it holds are not safe,
 * so marking pages are answered by MySQL and outbox rows stay until a replica is back (the
 * count of connected replicas is looked at again after {@value #CONNECTED_MILLIS} ms, each
 * primary's on its own).
 */
public final class ReplicaWait {
    public static final ReplicaWait NONE = new ReplicaWait(0, 0);
    private static final long CONNECTED_MILLIS = 1_000;

    private final int replicas;
    private final long timeoutMillis;

    /** Replicas a primary said it had connected, and when (nanoTime). */
    private record Connected(int count, long at) {
    }

    /** By primary (its address); a race only makes one look more. */
    private final java.util.concurrent.ConcurrentHashMap<String, Connected> connected = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param replicas      replicas that must acknowledge; 0: none (one Redis, nothing to wait for)
     * @param timeoutMillis WAIT's timeout: a write not acknowledged within it is not confirmed
     */
    public ReplicaWait(int replicas, long timeoutMillis) {
        if (replicas < 0 || timeoutMillis < 0) {
            throw new IllegalArgumentException("replicas and timeout must not be negative");
        }
        this.replicas = replicas;
        this.timeoutMillis = timeoutMillis;
    }

    public int replicas() {
        return replicas;
    }

    public long timeoutMillis() {
        return timeoutMillis;
    }

    /** Whether anything is waited for (false: one Redis; every confirmation holds). */
    public boolean waits() {
        return replicas > 0;
    }

    /**
     * Whether every write made on this Redis before the call, on any connection, reached
     * {@link #replicas} replicas: the primary's replication id if so (empty string when nothing
     * is waited for), else empty.
     */
    public Optional<String> confirm(Jedis jedis, String barrierKey) {
        if (replicas == 0) {
            return Optional.of("");
        }
        Primary primary = primary(jedis);
        if (!primary.isPrimary() || primary.connected() < replicas) {
            return Optional.empty();
        }
        jedis.incr(barrierKey);
        return jedis.waitReplicas(replicas, timeoutMillis) >= replicas ? Optional.of(primary.replicationId())
                : Optional.empty();
    }

    /** The replication id of the primary this connection reaches; fails (unavailable) on a replica. */
    public String primaryId(Jedis jedis) {
        Primary primary = primary(jedis);
        if (!primary.isPrimary()) {
            throw notConfirmed("reach a primary (this server is a replica now)");
        }
        return primary.replicationId();
    }

    /** Whether the writes made on this connection reached the replicas: one WAIT, no write of its own. */
    public boolean confirmOwn(Jedis jedis) {
        if (replicas == 0) {
            return true;
        }
        long now = System.nanoTime();
        String node = String.valueOf(jedis.getConnection().getHostAndPort());
        Connected seen = connected.get(node);
        if (seen == null || now - seen.at() > CONNECTED_MILLIS * 1_000_000L) {
            seen = new Connected(primary(jedis).connected(), now);
            connected.put(node, seen);
        }
        // why not wait when too few are connected: WAIT would only run out its timeout
        return seen.count() >= replicas && jedis.waitReplicas(replicas, timeoutMillis) >= replicas;
    }

    /** {@link #confirmOwn}, failing as Redis unavailable when the replicas did not acknowledge in time. */
    public void requireOwn(Jedis jedis, String what) {
        if (!confirmOwn(jedis)) {
            throw notConfirmed(what);
        }
    }

    /** {@link #confirm}, failing as Redis unavailable when not confirmed; the primary's replication id. */
    public String require(Jedis jedis, String barrierKey, String what) {
        return confirm(jedis, barrierKey).orElseThrow(() -> notConfirmed(what));
    }

    /** What INFO replication says of the server: its role, replication id and connected replicas. */
    record Primary(boolean isPrimary, String replicationId, int connected) {
    }

    static Primary primary(Jedis jedis) {
        return parse(jedis.info("replication"));
    }

    static Primary parse(String info) {
        boolean primary = false;
        String id = "";
        int connected = 0;
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("role:")) {
                primary = line.substring("role:".length()).strip().equals("master");
            } else if (line.startsWith("master_replid:")) {
                id = line.substring("master_replid:".length()).strip();
            } else if (line.startsWith("connected_slaves:")) {
                connected = Integer.parseInt(line.substring("connected_slaves:".length()).strip());
            }
        }
        return new Primary(primary, id, connected);
    }

    private BackendUnavailableException notConfirmed(String what) {
        return new BackendUnavailableException(BackendUnavailableException.Reason.FAILED,
                "Redis could not " + what + ": fewer than " + replicas + " replicas acknowledged it within " + timeoutMillis + " ms",
                null);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReplicaWait w && w.replicas == replicas && w.timeoutMillis == timeoutMillis;
    }

    @Override
    public int hashCode() {
        return 31 * replicas + Long.hashCode(timeoutMillis);
    }

    @Override
    public String toString() {
        return "ReplicaWait[replicas=" + replicas + ", timeoutMillis=" + timeoutMillis + "]";
    }
}
