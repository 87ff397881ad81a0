package chatcache;

import chatcache.web.HttpLimits;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigTest {
    private static final String DB = "jdbc:mysql://127.0.0.1:3306/chatcache";

    private static String failure(Map<String, String> env) {
        // as the server reads its settings at start: Config, then the web layer's own
        return assertThrows(InvalidConfigException.class, () -> {
            Config.fromEnv(env);
            HttpLimits.fromEnv(env);
        }).getMessage();
    }

    @Test
    void everyErrorNamesTheSetting() {
        assertTrue(failure(Map.of()).contains("CHATCACHE_DB_URL"));
        assertTrue(failure(Map.of("CHATCACHE_DB_URL", "postgres://x")).contains("CHATCACHE_DB_URL"));
        assertTrue(failure(Map.of("CHATCACHE_DB_URL", DB, "CHATCACHE_PORT", "http")).contains("CHATCACHE_PORT"));
        assertTrue(failure(Map.of("CHATCACHE_DB_URL", DB, "CHATCACHE_PORT", "70000")).contains("CHATCACHE_PORT"));
        assertTrue(failure(Map.of("CHATCACHE_DB_URL", DB, "CHATCACHE_REDIS_URL", "http://x:1")).contains("CHATCACHE_REDIS_URL"));
        assertTrue(failure(Map.of("CHATCACHE_DB_URL", DB, "CHATCACHE_REDIS_URL", "redis://x:1/3")).contains("CHATCACHE_REDIS_URL"));
        assertTrue(failure(Map.of("CHATCACHE_DB_URL", DB, "CHATCACHE_DB_USER", " ")).contains("CHATCACHE_DB_USER"));
        assertTrue(failure(Map.of("CHATCACHE_DB_URL", DB, "CHATCACHE_BIND", "0.0.0.0; rm")).contains("CHATCACHE_BIND"));
        assertTrue(failure(Map.of("CHATCACHE_DB_URL", DB, "CHATCACHE_LOG_FORMAT", "xml")).contains("CHATCACHE_LOG_FORMAT"));
    }

    @Test
    void theLogFormatIsTextOrJsonInAnyCase() {
        for (String format : new String[] {"text", "json", "JSON", " Text ", ""}) {
            Config.fromEnv(Map.of("CHATCACHE_DB_URL", DB, "CHATCACHE_LOG_FORMAT", format));
        }
        assertEquals("CHATCACHE_LOG_FORMAT must be text or json, got 'logfmt'",
                failure(Map.of("CHATCACHE_DB_URL", DB, "CHATCACHE_LOG_FORMAT", "logfmt")));
    }

    @Test
    void readsEverySetting() {
        Config c = Config.fromEnv(Map.of("CHATCACHE_DB_URL", DB, "CHATCACHE_DB_USER", "u", "CHATCACHE_DB_PASSWORD", "p",
                "CHATCACHE_REDIS_URL", "redis://:s%40cret@redis.local:6380", "CHATCACHE_PORT", "0",
                "CHATCACHE_BIND", "0.0.0.0"));
        assertEquals(new Config(DB, "u", "p", new Config.RedisAddress("redis.local", 6380, "s@cret"), "0.0.0.0", 0, Tunables.DEFAULT), c);
    }

    @Test
    void defaultsPortAndRedis() {
        Config c = Config.fromEnv(Map.of("CHATCACHE_DB_URL", DB));
        assertEquals(7070, c.port());
        assertEquals("127.0.0.1", c.bind(), "plain HTTP listens on loopback unless told otherwise");
        assertEquals(new Config.RedisAddress("127.0.0.1", 6379, null), c.redis());
    }

    @Test
    void sentinelSettingsNameThePrimaryAndItsSentinels() {
        Config c = Config.fromEnv(Map.of("CHATCACHE_DB_URL", DB, "CHATCACHE_REDIS_URL", "redis://ignored:1",
                "CHATCACHE_REDIS_SENTINEL_MASTER", "cache-1", "CHATCACHE_REDIS_SENTINEL_NODES", "s1:26379, [::1]:26380,s1:26379",
                "CHATCACHE_REDIS_SENTINEL_PASSWORD", "hunter7", "CHATCACHE_REDIS_SENTINEL_NODES_PASSWORD", "hunter8"));
        assertEquals(new Config.SentinelAddress("cache-1", java.util.List.of(new Config.Endpoint("s1", 26379), new Config.Endpoint("::1", 26380)),
                "hunter7", "hunter8", new chatcache.rediskit.ReplicaWait(1, 1_000)), c.redis(), "one replica by default");
        assertFalse(c.toString().contains("hunter"), c.toString());
        Config none = Config.fromEnv(Map.of("CHATCACHE_DB_URL", DB, "CHATCACHE_REDIS_SENTINEL_MASTER", "m",
                "CHATCACHE_REDIS_SENTINEL_NODES", "s:1", "CHATCACHE_REDIS_WAIT_REPLICAS", "0"));
        assertEquals(chatcache.rediskit.ReplicaWait.NONE, none.redis().replicaWait());
        assertEquals(null, none.redis().password());
        Config waiting = Config.fromEnv(Map.of("CHATCACHE_DB_URL", DB, "CHATCACHE_REDIS_WAIT_REPLICAS", "2",
                "CHATCACHE_REDIS_WAIT_TIMEOUT_MS", "250"));
        assertEquals(new chatcache.rediskit.ReplicaWait(2, 250), waiting.redis().replicaWait(), "one Redis with replicas may wait too");
    }

    @Test
    void clusterSettingsNameItsNodesAndSpreadChatsOverSixteenGroups() {
        Config c = Config.fromEnv(Map.of("CHATCACHE_DB_URL", DB, "CHATCACHE_REDIS_URL", "redis://ignored:1",
                "CHATCACHE_REDIS_CLUSTER_NODES", "n1:7000, n2:7001,n1:7000", "CHATCACHE_REDIS_CLUSTER_PASSWORD", "hunter9"));
        assertEquals(new Config.ClusterAddress(java.util.List.of(new Config.Endpoint("n1", 7000), new Config.Endpoint("n2", 7001)), "hunter9",
                new chatcache.rediskit.ReplicaWait(1, 1_000)), c.redis(), "one replica by default");
        assertEquals(chatcache.rediskit.ReplicaWait.NONE, Config.fromEnv(Map.of("CHATCACHE_DB_URL", DB, "CHATCACHE_REDIS_CLUSTER_NODES", "n:1",
                "CHATCACHE_REDIS_WAIT_REPLICAS", "0")).redis().replicaWait());
        assertFalse(c.toString().contains("hunter"), c.toString());
        assertEquals(16, c.tunables().cache().indexGroups(), "a cluster's default");
        assertEquals(1, Config.fromEnv(Map.of("CHATCACHE_DB_URL", DB)).tunables().cache().indexGroups(), "one Redis's default");
        assertEquals(4, Config.fromEnv(Map.of("CHATCACHE_DB_URL", DB, "CHATCACHE_REDIS_CLUSTER_NODES", "n:1",
                "CHATCACHE_REDIS_INDEX_GROUPS", "4")).tunables().cache().indexGroups());
        for (String nodes : new String[] {",", "n1", "n1:x", "n1:1,bad host:2"}) {
            String error = failure(Map.of("CHATCACHE_DB_URL", DB, "CHATCACHE_REDIS_CLUSTER_NODES", nodes));
            assertTrue(error.startsWith("CHATCACHE_REDIS_CLUSTER_NODES"), nodes + ": " + error);
        }
        assertTrue(failure(Map.of("CHATCACHE_DB_URL", DB, "CHATCACHE_REDIS_CLUSTER_NODES", "n:1", "CHATCACHE_REDIS_SENTINEL_MASTER", "m",
                "CHATCACHE_REDIS_SENTINEL_NODES", "s:1")).contains("set one of them"));
    }

    @Test
    void sentinelErrorsNameTheSetting() {
        for (String nodes : new String[] {"", ",", "s1", "s1:x", "s1:0", ":1", "s1:1,bad host:2"}) {
            String error = failure(Map.of("CHATCACHE_DB_URL", DB, "CHATCACHE_REDIS_SENTINEL_MASTER", "m",
                    "CHATCACHE_REDIS_SENTINEL_NODES", nodes));
            assertTrue(error.startsWith("CHATCACHE_REDIS_SENTINEL_NODES"), nodes + ": " + error);
        }
        assertTrue(failure(Map.of("CHATCACHE_DB_URL", DB, "CHATCACHE_REDIS_SENTINEL_MASTER", "m m",
                "CHATCACHE_REDIS_SENTINEL_NODES", "s:1")).startsWith("CHATCACHE_REDIS_SENTINEL_MASTER"));
        assertTrue(failure(Map.of("CHATCACHE_DB_URL", DB, "CHATCACHE_REDIS_WAIT_REPLICAS", "17")).startsWith("CHATCACHE_REDIS_WAIT_REPLICAS"));
        assertTrue(failure(Map.of("CHATCACHE_DB_URL", DB, "CHATCACHE_REDIS_WAIT_TIMEOUT_MS", "1")).startsWith("CHATCACHE_REDIS_WAIT_TIMEOUT_MS"));
        assertTrue(failure(Map.of("CHATCACHE_DB_URL", DB, "CHATCACHE_REDIS_WAIT_REPLICAS", "1", "CHATCACHE_REDIS_WAIT_TIMEOUT_MS", "5000"))
                .startsWith("CHATCACHE_REDIS_WAIT_TIMEOUT_MS (5000) must be below CHATCACHE_REDIS_SOCKET_TIMEOUT_MS"));
    }

    @Test
    void neverPrintsPasswords() {
        Config c = Config.fromEnv(Map.of("CHATCACHE_DB_URL", DB + "?password=hunter2", "CHATCACHE_DB_PASSWORD", "hunter3",
                "CHATCACHE_REDIS_URL", "redis://:hunter4@h:1"));
        String shown = c.toString();
        assertFalse(shown.contains("hunter2") || shown.contains("hunter3") || shown.contains("hunter4"), shown);

        String userInfo = Config.fromEnv(Map.of("CHATCACHE_DB_URL", "jdbc:mysql://app:hunter5@db.local:3306/chatcache")).toString();
        assertFalse(userInfo.contains("hunter5"), userInfo);
        assertTrue(userInfo.contains("jdbc:mysql://app:****@db.local:3306/chatcache"), userInfo);
        // why: URISyntaxException's own message quotes the whole URL
        String badUrl = failure(Map.of("CHATCACHE_DB_URL", DB, "CHATCACHE_REDIS_URL", "redis://:hunter 6@h:1"));
        assertFalse(badUrl.contains("hunter"), badUrl);
    }

    /** Every tunable: its name, a value it takes, and one it refuses. */
    private static final String[][] TUNABLES = {
            {"CHATCACHE_DB_POOL_SIZE", "8", "0"},
            {"CHATCACHE_DB_CONNECT_TIMEOUT_MS", "3000", "10"},
            {"CHATCACHE_DB_SOCKET_TIMEOUT_MS", "20000", "-1"},
            {"CHATCACHE_REDIS_POOL_SIZE", "32", "0"},
            {"CHATCACHE_REDIS_CONNECT_TIMEOUT_MS", "1000", "99999999"},
            {"CHATCACHE_REDIS_SOCKET_TIMEOUT_MS", "6000", "1"},
            {"CHATCACHE_REDIS_POOL_WAIT_MS", "500", "-5"},
            {"CHATCACHE_OUTBOX_RELAY_INTERVAL_MS", "100", "1"},
            {"CHATCACHE_OUTBOX_GRACE_MS", "3000", "5"},
            {"CHATCACHE_READ_MARK_GATHER_MS", "100", "20000"},
            {"CHATCACHE_READ_MARK_CLAIM_IDLE_MS", "5000", "10"},
            {"CHATCACHE_MAX_BODY_BYTES", "131072", "100"},
            {"CHATCACHE_BODY_DEADLINE_MS", "5000", "0"},
            {"CHATCACHE_IDLE_TIMEOUT_MS", "5000", "0"},
            {"CHATCACHE_MIN_BODY_BYTES_PER_SECOND", "512", "-1"},
            {"CHATCACHE_SHUTDOWN_TIMEOUT_MS", "5000", "-1"},
            {"CHATCACHE_HEADER_DEADLINE_MS", "5000", "99"},
            {"CHATCACHE_MAX_CONNECTIONS_PER_ADDRESS", "64", "0"},
            {"CHATCACHE_EVENTS_MAX_PER_CHAT", "500", "0"},
            {"CHATCACHE_EVENTS_RETENTION_MS", "60000", "999"},
            {"CHATCACHE_CACHE_WINDOW", "0", "-1"},
            {"CHATCACHE_CACHE_BUDGET_MB", "64", "-1"},
    };

    @Test
    void everyTunableIsReadValidatedAndDocumented() throws java.io.IOException {
        String readme = java.nio.file.Files.readString(java.nio.file.Path.of("README.md"));
        for (String[] t : TUNABLES) {
            Map<String, String> env = Map.of("CHATCACHE_DB_URL", DB, t[0], t[1]);
            assertTrue(!Config.fromEnv(env).tunables().equals(Tunables.DEFAULT) || !HttpLimits.fromEnv(env).equals(HttpLimits.DEFAULT),
                    t[0] + "=" + t[1] + " changes something");
            String notNumber = failure(Map.of("CHATCACHE_DB_URL", DB, t[0], "lots"));
            assertTrue(notNumber.startsWith(t[0] + " must be a whole number"), notNumber);
            String outOfBounds = failure(Map.of("CHATCACHE_DB_URL", DB, t[0], t[2]));
            assertTrue(outOfBounds.startsWith(t[0] + " must be ") && outOfBounds.endsWith("got " + t[2]), outOfBounds);
            assertTrue(readme.contains("`" + t[0] + "`"), t[0] + " is documented in README.md");
        }
        Tunables read = Config.fromEnv(Map.of("CHATCACHE_DB_URL", DB, "CHATCACHE_DB_POOL_SIZE", " 8 ",
                "CHATCACHE_SHUTDOWN_TIMEOUT_MS", "2500", "CHATCACHE_READ_MARK_CLAIM_IDLE_MS", "")).tunables();
        assertEquals(8, read.db().size());
        assertEquals(2500, HttpLimits.fromEnv(Map.of("CHATCACHE_SHUTDOWN_TIMEOUT_MS", "2500")).stopTimeoutMillis());
        assertEquals(Tunables.DEFAULT.relays(), read.relays(), "blank means the default");
    }
}
