package chatcache.ratelimit;

import chatcache.support.TestStores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The limiter on the real Redis, where the HTTP test's small limits do not reach: credit taken ahead and given back. */
class RateLimiterIT {
    private static final TestStores stores = TestStores.get();

    @BeforeEach
    void reset() {
        stores.reset();
    }

    @Test
    void instancesTakingCreditStillKeepTheSharedBudget() {
        RateLimits limits = new RateLimits(1_000, 0, 600_000); // batches of 10, nothing comes back during the test
        try (RateLimiter one = new RateLimiter(stores.cache.redis(), limits);
             RateLimiter two = new RateLimiter(stores.cache.redis(), limits)) {
            int allowed = 0;
            for (int i = 0; i < 1_200; i++) {
                if ((i % 3 == 0 ? two : one).user(7).allowed()) {
                    allowed++;
                }
            }
            // credit one instance holds is missing from the other: at most that much less, never more
            // (plus one per 600 ms the test took: the budget grows back at 1,000 per 600 s)
            assertTrue(allowed <= 1_002 && allowed >= 1_000 - 2 * RateLimiter.heldAtMost(1_000), "allowed " + allowed);
            Decision refused = one.user(7);
            assertFalse(refused.allowed());
            assertTrue(refused.waitMillis() > 0 && refused.waitMillis() <= 600, "wait " + refused.waitMillis());
            assertTrue(one.user(8).allowed(), "another user has its own budget");
            assertEquals(0, one.failedOpen());
        }
    }

    @Test
    void creditLeftUnspentGoesBackSoAnotherInstanceCanSpendIt() throws Exception {
        RateLimits limits = new RateLimits(1_000, 0, 600_000);
        try (RateLimiter one = new RateLimiter(stores.cache.redis(), limits);
             RateLimiter two = new RateLimiter(stores.cache.redis(), limits)) {
            assertTrue(one.user(7).allowed()); // takes a batch of 10, spends 1
            one.giveBackIdle(0);
            int allowed = 0;
            while (true) {
                if (two.user(7).allowed()) {
                    allowed++;
                    continue;
                }
                // a batch taken in the background as the budget ran out may still be on its way: spend it too
                two.awaitBackground();
                if (!two.user(7).allowed()) {
                    break;
                }
                allowed++;
            }
            // the 9 given back were two's to spend: all 999 (without the give-back, 990), and one more
            // per 600 ms the test took (the budget grows back at 1,000 per 600 s)
            assertTrue(allowed >= 999 && allowed <= 1_001, "the credit given back was spent: allowed " + allowed);
        }
    }

    @Test
    void aCallerWhoKeepsSendingDoesNotWaitForRedisOnEveryBatch() throws Exception {
        RateLimits limits = new RateLimits(1_000, 0, 60_000); // batches of 10
        try (RateLimiter limiter = new RateLimiter(stores.cache.redis(), limits)) {
            for (int i = 0; i < 500; i++) {
                assertTrue(limiter.user(7).allowed());
                // a caller who sends now and then: the next batch has time to arrive in the background
                if (i % 4 == 3) {
                    limiter.awaitBackground();
                }
            }
            assertEquals(1, limiter.waited(), "only the first request waits for Redis");
        }
    }
}
