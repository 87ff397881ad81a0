package chatcache.rediskit;

import chatcache.core.BackendUnavailableException;
import redis.clients.jedis.Jedis;

/**
 * How many replicas must hold a write before it is acknowledged outside Redis (a client shown its
 * read marks, an outbox entry deleted from MySQL, a read mark applied to MySQL), and how long to
 * wait for them. why: Redis replicates asynchronously, so a primary that dies takes its last
 * writes with it and Sentinel (or the cluster) promotes a replica without them. What MySQL still
 * holds an outbox entry for is copied again; what Redis alone holds (read marks on their way to
 * MySQL) must reach a replica before anyone is told it happened.
 *
 * <p>Redis's WAIT answers for the writes of the connection it runs on; {@link #confirm} first
 * makes a write of its own, which the replication stream carries after every write any
 * connection made before it, so that one WAIT covers them all. It waits for at most as many
 * replicas as the primary has connected (INFO, looked at again after {@value #CONNECTED_MILLIS}
 * ms): a primary left alone (its replica lost, or just promoted) has nobody to wait for, and
 * keeps answering instead of failing every write after the timeout; a connected replica that
 * does not acknowledge in time fails the confirmation.
 */
public final class ReplicaWait {
    public static final ReplicaWait NONE = new ReplicaWait(0, 0);
    /** The key {@link #confirm} writes: its value is meaningless, the write is the point. */
    static final String BARRIER_KEY = "chatcache:replication-barrier";
    private static final long CONNECTED_MILLIS = 1_000;

    private final int replicas;
    private final long timeoutMillis;
    /** Replicas the primary said it had connected, and when (nanoTime); a race only makes one look more. */
    private volatile int connected;
    private volatile long connectedAt;
    private volatile boolean looked;

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

    /**
     * Whether every write made on this Redis before the call, on any connection, reached
     * {@link #replicas} replicas, or every replica connected if fewer (always true when none are
     * asked for).
     */
    public boolean confirm(Jedis jedis) {
        int needed = needed(jedis);
        if (needed == 0) {
            return true;
        }
        jedis.incr(BARRIER_KEY);
        return jedis.waitReplicas(needed, timeoutMillis) >= needed;
    }

    /** The same for the writes made on this connection only: one round trip fewer. */
    public boolean confirmOwn(Jedis jedis) {
        int needed = needed(jedis);
        return needed == 0 || jedis.waitReplicas(needed, timeoutMillis) >= needed;
    }

    /** {@link #confirm}, failing as Redis unavailable when the replicas did not acknowledge in time. */
    public void require(Jedis jedis, String what) {
        if (!confirm(jedis)) {
            throw notConfirmed(what);
        }
    }

    /** {@link #confirmOwn}, failing as Redis unavailable when the replicas did not acknowledge in time. */
    public void requireOwn(Jedis jedis, String what) {
        if (!confirmOwn(jedis)) {
            throw notConfirmed(what);
        }
    }

    private int needed(Jedis jedis) {
        if (replicas == 0) {
            return 0;
        }
        long now = System.nanoTime();
        if (!looked || now - connectedAt > CONNECTED_MILLIS * 1_000_000L) {
            connected = connectedReplicas(jedis.info("replication"));
            connectedAt = now;
            looked = true;
        }
        return Math.min(replicas, connected);
    }

    /** {@code connected_slaves} of INFO replication (0 when absent: not a primary). */
    static int connectedReplicas(String info) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("connected_slaves:")) {
                return Integer.parseInt(line.substring("connected_slaves:".length()).strip());
            }
        }
        return 0;
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
