package chatcache.support;

import chatcache.ChatCache;
import chatcache.Config;
import chatcache.InvalidConfigException;
import chatcache.redis.KeySpace;
import chatcache.replication.CacheRebuild;
import chatcache.user.Authenticator;
import chatcache.user.Role;
import chatcache.user.User;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.Pool;
import redis.clients.jedis.JedisPoolConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;

/**
 * The real MariaDB and Redis+RediSearch that {@code ./dev test} starts (one Redis, or the Redis
 * Cluster of the cluster pass), reached through the same CHATCACHE_* variables the program reads,
 * and the program's parts wired over them once per JVM. {@link #reset()} empties both stores
 * before each test; tests reach Redis's keys through {@link #redisOf}.
 */
public final class TestStores {
    private static TestStores instance;
    private static final java.util.Map<java.util.Map<String, String>, TestStores> bySettings = new java.util.HashMap<>();

    public final TestClock clock = new TestClock();
    public final ChatCache cache;

    private TestStores(java.util.Map<String, String> env) {
        // why: Hibernate logs through jboss-logging; route it like the program does
        System.setProperty("org.jboss.logging.provider", "slf4j");
        Config config;
        try {
            config = Config.fromEnv(env);
        } catch (InvalidConfigException e) {
            throw new IllegalStateException("tests need the private servers: run ./dev test (" + e.getMessage() + ")", e);
        }
        cache = ChatCache.open(config, clock);
    }

    public static synchronized TestStores get() {
        if (instance == null) {
            instance = new TestStores(System.getenv());
        }
        return instance;
    }

    /**
     * The program wired over the same servers with Redis holding a window of this many messages of
     * each chat (CHATCACHE_CACHE_WINDOW; 0: whole chats): for the contract and parity suites,
     * whose small chats must cross the window's boundary. {@link #reset()} rebuilds with it.
     */
    public static TestStores withWindow(int window) {
        return with(java.util.Map.of("CHATCACHE_CACHE_WINDOW", Integer.toString(window)));
    }

    /** The program wired over the same servers with these settings besides the environment's (one per set of settings). */
    public static synchronized TestStores with(java.util.Map<String, String> settings) {
        return bySettings.computeIfAbsent(java.util.Map.copyOf(settings), given -> {
            java.util.Map<String, String> env = new java.util.HashMap<>(System.getenv());
            env.putAll(given);
            return new TestStores(env);
        });
    }

    /** Empties both stores and recreates the index and the read-mark stream. */
    public void reset() {
        // why: the relay remembers outbox ids the request path finished; settle them against the
        // rows they belong to before TRUNCATE restarts the ids
        cache.cacheRelay().drain();
        try (Connection c = cache.database().dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE TABLE messages");
            s.execute("TRUNCATE TABLE message_words");
            s.execute("TRUNCATE TABLE users");
            s.execute("TRUNCATE TABLE cache_outbox");
            s.execute("TRUNCATE TABLE chats");
            s.execute("TRUNCATE TABLE chat_members");
            s.execute("TRUNCATE TABLE idempotency_keys");
            s.execute("TRUNCATE TABLE chat_deletions");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        flushRedis();
        flushOtherRedis();
        openChats();
        cache.chats().forgetAll(); // chat ids start again: what the server remembers of old ones is void
        // an empty MySQL rebuilt into an empty Redis: the cache holds everything again
        cache.rebuild().rebuild(Optional.empty(), CacheRebuild.Progress.NONE);
        // and the token replica holds every (no) user: tokens are answered from Redis
        cache.tokenSync().step();
        clock.set(TestClock.START);
    }

    /**
     * Empties this Redis, every primary of a cluster (as a Redis restarted without its data).
     * RediSearch 2.x drops its indexes with the keys; {@link #reset()}'s rebuild makes them again
     * ({@code SearchIndex.prepare}, each group's on its slot's node), as a server's guard would.
     */
    public void flushRedis() {
        cache.redis().onEveryPrimary("empty Redis for a test", Jedis::flushAll);
    }

    /**
     * The Redis that holds the chat's keys, and their names: the one way tests reach Redis's keys,
     * so that they run alike on one Redis, over several groups and on a Redis Cluster.
     */
    public GroupRedis redisOf(long chatId) {
        return redisOf(cache.groups().of(chatId));
    }

    /** The Redis that holds this group's keys, and their names. */
    public GroupRedis redisOf(KeySpace group) {
        return new GroupRedis(cache.redis(), group);
    }

    /** Every group's Redis, in the groups' order. */
    public List<GroupRedis> redisOfEveryGroup() {
        return cache.groups().all().stream().map(this::redisOf).toList();
    }

    /**
     * The Redis of the other Failsafe pass (RediSearch 1.2 while this one runs on 2.x or on a
     * cluster): MySQL is shared, so emptying MySQL must empty it too, or it would keep copies of
     * messages whose ids MySQL hands out again (a later bench or server would then find drift it
     * cannot mend).
     */
    private static void flushOtherRedis() {
        String url = System.getenv("CHATCACHE_TEST_OTHER_REDIS_URL");
        if (url == null || url.isBlank() || url.startsWith("${")) {
            return;
        }
        Config.RedisServers other = Config.fromEnv(java.util.Map.of("CHATCACHE_DB_URL", "jdbc:mysql://unused/x",
                "CHATCACHE_REDIS_URL", url)).redis();
        try (redis.clients.jedis.util.Pool<Jedis> pool = ChatCache.redisPool(other); Jedis jedis = pool.getResource()) {
            jedis.flushAll();
        }
    }

    /** Chats 1..{@value #OPEN_CHATS} exist in every test, as the migration leaves older chats: public, owned by no one. */
    public static final int OPEN_CHATS = 100;

    private void openChats() {
        StringBuilder rows = new StringBuilder();
        for (int id = 1; id <= OPEN_CHATS; id++) {
            rows.append(id == 1 ? "" : ",").append("(").append(id).append(", 'chat ").append(id).append("', 'public', NULL, 0, 1)");
        }
        try (Connection c = cache.database().dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO chats (id, title, visibility, owner_id, created_at, version) VALUES " + rows);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Makes the chat exist in both stores, as a public chat owned by no one (what the migration
     * makes of older chats) unless it exists, with these users as members: the fixture of tests
     * that post, which members only may do.
     */
    public void members(long chatId, User... users) {
        long now = clock.millis();
        cache.chatStore().adopt(chatId, now);
        for (User u : users) {
            if (u.role() == Role.USER) {
                cache.chatStore().addMember(chatId, u.id(), now);
            }
        }
        // copies the chats to Redis and clears their outbox rows, as the relay would
        cache.cacheRelay().drain();
    }

    /**
     * Skips the calling test unless this Redis may hold windows and evict (RediSearch 2.x; on 1.x
     * Redis holds whole chats: {@code SearchIndex#supportsWindows}).
     */
    public void assumeWindows() {
        org.junit.jupiter.api.Assumptions.assumeTrue(cache.searchIndex().supportsWindows(),
                "windows and eviction need RediSearch 2.x");
    }

    /** Whether the Redis route answers the chat from Redis now (Redis holds it, and no load of it runs). */
    public boolean readable(long chatId) {
        try {
            cache.redisMessages().boundary(chatId);
            return true;
        } catch (chatcache.message.CacheIncompleteException e) {
            return false;
        }
    }

    /** MySQL's count of SELECT statements so far (server-wide): tests read it before and after a Redis-route request. */
    public long mysqlSelects() {
        try (Connection c = cache.database().dataSource().getConnection(); Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SHOW GLOBAL STATUS LIKE 'Com_select'")) {
            rs.next();
            return rs.getLong(2);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A pool of a Redis that cannot be reached (a port nobody listens on): an outage, for the parts given it. */
    public static Pool<Jedis> unreachableRedis() {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new redis.clients.jedis.JedisPool(new JedisPoolConfig(), new HostAndPort("127.0.0.1", closedPort),
                DefaultJedisClientConfig.builder().protocol(redis.clients.jedis.RedisProtocol.RESP2).connectionTimeoutMillis(500).build());
    }

    public Authenticator.Issued user(String name, Role role) {
        return cache.authenticator().issue(name, role);
    }

    public User userOnly(String name, Role role) {
        return user(name, role).user();
    }
}
