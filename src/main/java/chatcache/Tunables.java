package chatcache;

import chatcache.events.EventRetention;

import java.util.Map;

/**
 * The numbers an operator may tune, each a {@code CHATCACHE_*} setting with a default, validated
 * at start (README, "Configuration"). Bounds (revocation within 1 s, remembered access 0.5 s) that
 * the README promises are not among them: they are the contract, not a tuning.
 *
 * @param db        the MySQL pool
 * @param redis     the Redis pool
 * @param relays    the background relays
 * @param events    how much of each chat's event stream Redis keeps
 * @param cache     what Redis holds of each chat
 * @param hotPagesMb how many MiB of pages each instance keeps in its memory (message.HotPages); 0: none
 */
public record Tunables(Pool db, Pool redis, Relays relays, EventRetention events, Cache cache, long hotPagesMb) {
    public static final long DEFAULT_HOT_PAGES_MB = 32;

    /**
     * @param window   how many of each chat's newest messages Redis holds; 0: every message
     * @param budgetMb Redis's memory at most, in MiB, before the least recently read chats are
     *                 evicted; 0: none; {@link #AUTO_BUDGET}: 80 % of Redis's maxmemory when it
     *                 has one, else none
     * @param indexGroups how many groups chats are spread over in Redis, each with its own index
     *                    and hash tag (1: the names of one Redis, as always; see docs/design-cluster.md)
     */
    public record Cache(int window, long budgetMb, int indexGroups) {
        public static final int DEFAULT_WINDOW = 5_000;
        public static final long AUTO_BUDGET = -1;
        /**
         * Groups on a Redis Cluster unless set: a few per primary for 3 to 8 primaries. why not
         * more: each index keeps its own lists of every word and author it holds (measured:
         * 528 bytes a message over 16 groups, 813 over 256, against 491 in one; docs/design-cluster.md).
         */
        public static final int CLUSTER_GROUPS = 16;

        /** The budget in bytes for a Redis with this maxmemory (0: none). */
        public long budgetBytes(long redisMaxmemory) {
            if (budgetMb == AUTO_BUDGET) {
                return redisMaxmemory / 10 * 8;
            }
            return budgetMb * 1024 * 1024;
        }
    }

    /**
     * @param size           connections at most
     * @param connectMillis  to open a connection (and, for MySQL, to wait for a free one)
     * @param socketMillis   a reply may take at most this long
     * @param waitMillis     to wait for a free connection (Redis; MySQL uses connectMillis)
     */
    public record Pool(int size, long connectMillis, long socketMillis, long waitMillis) {
    }

    /**
     * @param outboxIntervalMillis   pause between rounds of the outbox relay
     * @param outboxGraceMillis      how long a request has to copy its change itself before the relay does
     * @param readMarkGatherMillis   how long the read-mark relay gathers a batch
     * @param readMarkClaimMillis    entries another instance left unacknowledged this long are taken over
     */
    public record Relays(long outboxIntervalMillis, long outboxGraceMillis, long readMarkGatherMillis, long readMarkClaimMillis) {
    }

    public static final Tunables DEFAULT = fromEnv(Map.of());

    /**
     * The setting that names a Redis Cluster's nodes (read by {@link Config}); here because the
     * default count of groups depends on it, and Config builds on this class, not the reverse.
     */
    public static final String CLUSTER_NODES = "CHATCACHE_REDIS_CLUSTER_NODES";

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    public static Tunables fromEnv(Map<String, String> env) {
        Settings s = new Settings(env);
        Pool db = new Pool(
                s.integer("CHATCACHE_DB_POOL_SIZE", 16, 1, 1_000),
                s.number("CHATCACHE_DB_CONNECT_TIMEOUT_MS", 2_000, 250, 60_000),
                s.number("CHATCACHE_DB_SOCKET_TIMEOUT_MS", 10_000, 1_000, 600_000),
                0);
        Pool redis = new Pool(
                s.integer("CHATCACHE_REDIS_POOL_SIZE", 64, 1, 10_000),
                s.number("CHATCACHE_REDIS_CONNECT_TIMEOUT_MS", 2_000, 100, 60_000),
                s.number("CHATCACHE_REDIS_SOCKET_TIMEOUT_MS", 5_000, 100, 600_000),
                s.number("CHATCACHE_REDIS_POOL_WAIT_MS", 2_000, 0, 60_000));
        Relays relays = new Relays(
                s.number("CHATCACHE_OUTBOX_RELAY_INTERVAL_MS", 200, 10, 60_000),
                s.number("CHATCACHE_OUTBOX_GRACE_MS", 2_000, 100, 600_000),
                s.number("CHATCACHE_READ_MARK_GATHER_MS", 300, 0, 10_000),
                s.number("CHATCACHE_READ_MARK_CLAIM_IDLE_MS", 10_000, 1_000, 3_600_000));
        EventRetention events = new EventRetention(
                s.integer("CHATCACHE_EVENTS_MAX_PER_CHAT", EventRetention.DEFAULT.maxPerChat(), 1, 10_000_000),
                s.number("CHATCACHE_EVENTS_RETENTION_MS", EventRetention.DEFAULT.retentionMillis(), 1_000, 30L * 86_400_000));
        Cache cache = new Cache(s.integer("CHATCACHE_CACHE_WINDOW", Cache.DEFAULT_WINDOW, 0, 100_000_000),
                s.number("CHATCACHE_CACHE_BUDGET_MB", Cache.AUTO_BUDGET, 0, 16L * 1024 * 1024),
                s.integer("CHATCACHE_REDIS_INDEX_GROUPS", isBlank(env.get(CLUSTER_NODES)) ? 1 : Cache.CLUSTER_GROUPS, 1, 1_024));
        long hotPagesMb = s.number("CHATCACHE_HOT_PAGES_MB", DEFAULT_HOT_PAGES_MB, 0, 64 * 1024);
        return new Tunables(db, redis, relays, events, cache, hotPagesMb);
    }
}
