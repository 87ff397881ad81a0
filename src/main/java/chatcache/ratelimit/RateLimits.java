package chatcache.ratelimit;

import chatcache.Settings;

import java.util.Map;

/**
 * How many requests a caller may make per window: a signed-in caller per user (that is, per
 * token), an anonymous caller per client address. 0 turns that limit off.
 *
 * @param signedIn     requests per window for each signed-in user; 0 = no limit
 * @param anonymous    requests per window for each client address without a valid token; 0 = no limit
 * @param windowMillis the window (a minute from the environment; tests use shorter ones)
 */
public record RateLimits(long signedIn, long anonymous, long windowMillis) {
    public static final long DEFAULT_SIGNED_IN_PER_MINUTE = 1_200;
    public static final long DEFAULT_ANONYMOUS_PER_MINUTE = 600;
    private static final long MINUTE_MILLIS = 60_000;
    private static final long MAX_PER_MINUTE = 1_000_000_000;

    /** No limit at all: nothing is asked of Redis. */
    public static final RateLimits OFF = new RateLimits(0, 0, MINUTE_MILLIS);

    public RateLimits {
        if (signedIn < 0 || anonymous < 0 || windowMillis < 1) {
            throw new IllegalArgumentException("limits must be >= 0 and the window >= 1 ms: " + signedIn + ", "
                    + anonymous + ", " + windowMillis);
        }
    }

    /** {@code CHATCACHE_RATE_LIMIT_PER_MINUTE} and {@code CHATCACHE_RATE_LIMIT_ANONYMOUS_PER_MINUTE} (README, "Rate limits"). */
    public static RateLimits fromEnv(Map<String, String> env) {
        Settings s = new Settings(env);
        return new RateLimits(
                s.number("CHATCACHE_RATE_LIMIT_PER_MINUTE", DEFAULT_SIGNED_IN_PER_MINUTE, 0, MAX_PER_MINUTE),
                s.number("CHATCACHE_RATE_LIMIT_ANONYMOUS_PER_MINUTE", DEFAULT_ANONYMOUS_PER_MINUTE, 0, MAX_PER_MINUTE),
                MINUTE_MILLIS);
    }

    public boolean off() {
        return signedIn == 0 && anonymous == 0;
    }
}
