package chatcache.ratelimit;

import chatcache.Config;
import chatcache.InvalidConfigException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RateLimitsTest {
    @Test
    void defaultsWhenUnset() {
        RateLimits limits = RateLimits.fromEnv(Map.of());
        assertEquals(new RateLimits(RateLimits.DEFAULT_SIGNED_IN_PER_MINUTE, RateLimits.DEFAULT_ANONYMOUS_PER_MINUTE, 60_000), limits);
        assertFalse(limits.off());
    }

    @Test
    void zeroTurnsALimitOff() {
        RateLimits limits = RateLimits.fromEnv(Map.of("CHATCACHE_RATE_LIMIT_PER_MINUTE", "0",
                "CHATCACHE_RATE_LIMIT_ANONYMOUS_PER_MINUTE", "0"));
        assertTrue(limits.off());
        assertEquals(30, RateLimits.fromEnv(Map.of("CHATCACHE_RATE_LIMIT_ANONYMOUS_PER_MINUTE", " 30 ")).anonymous());
    }

    @Test
    void badValuesNameTheSetting() {
        for (String bad : new String[] {"-1", "ten", "1000000001"}) {
            InvalidConfigException e = assertThrows(InvalidConfigException.class,
                    () -> RateLimits.fromEnv(Map.of("CHATCACHE_RATE_LIMIT_PER_MINUTE", bad)));
            assertTrue(e.getMessage().startsWith("CHATCACHE_RATE_LIMIT_PER_MINUTE must be"), e.getMessage());
        }
    }

    @Test
    void retryAfterIsWholeSecondsAtLeastOne() {
        assertEquals(1, new Decision(false, 1).retryAfterSeconds());
        assertEquals(1, new Decision(false, 1_000).retryAfterSeconds());
        assertEquals(2, new Decision(false, 1_001).retryAfterSeconds());
    }
}
