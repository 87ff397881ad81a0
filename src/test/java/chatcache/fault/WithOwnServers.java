package chatcache.fault;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.Map;

/**
 * A fault test class with a MariaDB and a Redis of its own ({@link OwnServers}), started before
 * its first test and stopped after its last: it may kill them; the shared test servers are never.
 */
abstract class WithOwnServers {
    static OwnServers servers;

    @BeforeAll
    static void startOwnServers() throws Exception {
        servers = new OwnServers();
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
        return sameLayout(Map.of("CHATCACHE_DB_URL", servers.jdbcUrl(), "CHATCACHE_DB_USER", "root",
                "CHATCACHE_REDIS_URL", servers.redisUrl()));
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
