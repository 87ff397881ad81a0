package chatcache.ratelimit;

import chatcache.support.TestStores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The limiter on the real Redis, where the HTTP test's small limits do not reach: batches. */
class RateLimiterIT {
    private static final TestStores stores = TestStores.get();

    @BeforeEach
    void reset() {
        stores.reset();
    }

    @Test
    void instancesTakingBatchesStillKeepTheSharedBudget() {
        RateLimits limits = new RateLimits(1_000, 0, 600_000); // batches of 10, nothing comes back during the test
        RateLimiter one = new RateLimiter(stores.cache.redisPool(), limits);
        RateLimiter two = new RateLimiter(stores.cache.redisPool(), limits);
        int allowed = 0;
        for (int i = 0; i < 1_200; i++) {
            if ((i % 3 == 0 ? two : one).user(7).allowed()) {
                allowed++;
            }
        }
        // a batch one instance holds is missing from the other: at most a batch less, never more
        assertTrue(allowed <= 1_000 && allowed >= 1_000 - RateLimiter.MAX_BATCH, "allowed " + allowed);
        Decision refused = one.user(7);
        assertFalse(refused.allowed());
        assertTrue(refused.waitMillis() > 0 && refused.waitMillis() <= 600, "wait " + refused.waitMillis());
        assertTrue(one.user(8).allowed(), "another user has its own budget");
        assertEquals(0, one.failedOpen());
    }
}
