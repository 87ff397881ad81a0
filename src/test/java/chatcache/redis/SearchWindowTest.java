package chatcache.redis;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How a filtered walk sizes its next window from what it has seen. */
class SearchWindowTest {

    @Test
    void nothingFoundYetQuadruplesTheWindow() {
        assertEquals(256, RedisMessages.nextWindow(64, 64, 0, 21));
    }

    @Test
    void aSparseFilterGetsTheWindowItsDensityNeedsWithHalfAgainForLuck() {
        // 3 of 64 passed: 18 more need about 384 messages; half again is 576
        assertEquals(576, RedisMessages.nextWindow(64, 64, 3, 18));
    }

    @Test
    void aDenseFilterStillAtLeastDoublesTheWindow() {
        assertEquals(128, RedisMessages.nextWindow(64, 64, 20, 1));
    }

    @Test
    void noWindowPassesTheCap() {
        assertEquals(RedisMessages.MAX_WINDOW, RedisMessages.nextWindow(4_096, 8_000, 0, 21));
        assertEquals(RedisMessages.MAX_WINDOW, RedisMessages.nextWindow(1_024, 2_000, 1, 20));
    }
}
