package chatcache;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigTest {
    private static final String DB = "jdbc:mysql://127.0.0.1:3306/chatcache";

    private static String failure(Map<String, String> env) {
        return assertThrows(Config.InvalidConfigException.class, () -> Config.fromEnv(env)).getMessage();
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
        assertEquals(new Config(DB, "u", "p", new Config.RedisAddress("redis.local", 6380, "s@cret"), "0.0.0.0", 0), c);
    }

    @Test
    void defaultsPortAndRedis() {
        Config c = Config.fromEnv(Map.of("CHATCACHE_DB_URL", DB));
        assertEquals(7070, c.port());
        assertEquals("127.0.0.1", c.bind(), "plain HTTP listens on loopback unless told otherwise");
        assertEquals(new Config.RedisAddress("127.0.0.1", 6379, null), c.redis());
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
}
