package chatcache.fault;

import chatcache.ChatCache;
import chatcache.Config;
import chatcache.rediskit.Redis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import redis.clients.jedis.Jedis;

import java.util.HashMap;
import java.util.Map;

/**
 * A fault test class with a MariaDB and a Redis of its own ({@link OwnServers}), started before
 * its first test and stopped after its last: it may kill them; the shared test servers are never.
 * On the cluster pass (pom.xml, CHATCACHE_REDIS_CLUSTER_NODES set) the program runs on that Redis
 * Cluster instead, beside this class's own MariaDB, and the tests that kill Redis are skipped
 * ({@link #assumeOwnRedis}).
 */
abstract class WithOwnServers {
    static OwnServers servers;

    @BeforeAll
    static void startOwnServers() throws Exception {
        servers = new OwnServers();
        if (onSharedCluster()) {
            // why: the cluster holds copies of the shared MySQL's messages, whose ids this class's
            // own MySQL hands out again; started empty, the program rebuilds it from this one
            try (Redis redis = ChatCache.openRedis(Config.fromEnv(env()))) {
                redis.onEveryPrimary("empty the cluster for a fault test", Jedis::flushAll);
            }
        }
    }

    /** Whether this is the cluster pass: the program's Redis is then the shared cluster, not {@link #servers}'. */
    static boolean onSharedCluster() {
        String nodes = System.getenv(Config.CLUSTER_NODES);
        return nodes != null && !nodes.isBlank() && !nodes.startsWith("${");
    }

    /**
     * Skips the calling test on the cluster pass: it kills and restarts this class's own Redis,
     * which the program does not use there (ClusterModeIT kills a cluster's primary under load).
     */
    static void assumeOwnRedis() {
        Assumptions.assumeFalse(onSharedCluster(), "kills this class's own Redis; on the cluster pass the program uses the cluster");
    }

    @AfterAll
    static void stopOwnServers() throws Exception {
        if (servers != null) {
            servers.close();
            servers = null;
        }
    }

    /** The settings of a server (or a test's own ChatCache) on these servers. */
    static Map<String, String> env() {
        Map<String, String> settings = new HashMap<>(Map.of("CHATCACHE_DB_URL", servers.jdbcUrl(), "CHATCACHE_DB_USER", "root",
                "CHATCACHE_REDIS_URL", servers.redisUrl()));
        if (onSharedCluster()) { // a cluster's nodes take precedence over the URL (Config)
            settings.put(Config.CLUSTER_NODES, System.getenv(Config.CLUSTER_NODES));
            String password = System.getenv("CHATCACHE_REDIS_CLUSTER_PASSWORD");
            if (password != null && !password.isBlank()) {
                settings.put("CHATCACHE_REDIS_CLUSTER_PASSWORD", password);
            }
        }
        return sameLayout(Map.copyOf(settings));
    }

    /**
     * The settings, with the suite's CHATCACHE_REDIS_INDEX_GROUPS if it has one. why: the servers
     * these tests start inherit the suite's environment, and a ChatCache of the test itself over
     * another count of groups would read (and rebuild) another layout of the same Redis.
     */
    static Map<String, String> sameLayout(Map<String, String> settings) {
        String groups = System.getenv("CHATCACHE_REDIS_INDEX_GROUPS");
        if (groups == null) {
            return settings;
        }
        Map<String, String> all = new java.util.HashMap<>(settings);
        all.put("CHATCACHE_REDIS_INDEX_GROUPS", groups);
        return Map.copyOf(all);
    }
}
