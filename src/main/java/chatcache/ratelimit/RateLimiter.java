package chatcache.ratelimit;

import chatcache.logging.ExceptionText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts requests per caller in Redis, so that every instance of a deployment shares one budget.
 * Requests are taken by a Lua script (GCRA, the "generic cell rate algorithm"): a caller's key
 * holds the time at which its budget would be whole again; each request moves it one interval
 * (window / limit) later, and is refused if that would put it more than a window ahead of now.
 * So a caller may send a whole window's worth at once, then one request per interval. One call
 * takes up to {@link #MAX_BATCH} requests (a hundredth of the limit), which this instance then
 * spends without asking Redis again.
 * The time is Redis's own ({@code TIME}), so instances whose clocks differ still agree; the key
 * expires once the budget is whole, so an idle caller leaves nothing behind.
 *
 * <p>Keys: {@code chatcache:ratelimit:user:<id>} for a signed-in caller (its token is never a
 * key), {@code chatcache:ratelimit:addr:<address>} for the others.
 *
 * <p>Redis unreachable: the request is allowed (fail open) and counted ({@link #failedOpen}):
 * refusing every request because the limiter cannot count would turn a cache outage into an
 * outage of the API, which answers from MySQL meanwhile.
 */
public final class RateLimiter {
    private static final Logger log = LoggerFactory.getLogger(RateLimiter.class);
    private static final String PREFIX = "chatcache:ratelimit:";

    /**
     * KEYS[1] the caller's key; ARGV[1] milliseconds per request (window / limit, may be a
     * fraction); ARGV[2] the window in milliseconds; ARGV[3] how many requests to take at most.
     * Returns how many were taken (1..ARGV[3]), or minus the milliseconds to wait when not even
     * one fits (a refused request costs nothing).
     */
    static final String SCRIPT = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local interval = tonumber(ARGV[1])
            local window = tonumber(ARGV[2])
            local whole = tonumber(redis.call('GET', KEYS[1]) or 0)
            if whole < now then whole = now end
            local fit = math.floor((now + window - whole) / interval + 1e-9)
            if fit < 1 then return -math.ceil(whole + interval - window - now) end
            local taken = math.min(fit, tonumber(ARGV[3]))
            whole = whole + taken * interval
            redis.call('SET', KEYS[1], string.format('%.3f', whole), 'PX', math.ceil(whole - now))
            return taken""";

    /**
     * At most this many requests are taken from Redis at once and then spent here without asking
     * it again, for at most {@link #BATCH_MILLIS}: the limiter's round trip is paid once per batch.
     * why a hundredth of the limit: a batch taken by one instance and not spent there is missing
     * from the others for a moment, so the batch stays a small part of any budget (limits under
     * 100 per window take one request at a time: exact).
     */
    static final int MAX_BATCH = 10;
    static final long BATCH_MILLIS = 1_000;
    private static final int MAX_BATCHES_HELD = 100_000;

    /** Never limits, never asks Redis. */
    public static final RateLimiter OFF = new RateLimiter(null, RateLimits.OFF);

    private final JedisPool pool;
    private final RateLimits limits;
    private final String signedInInterval;
    private final String anonymousInterval;
    private final String signedInBatch;
    private final String anonymousBatch;
    /** Requests taken from Redis and not spent yet, by key. */
    private final java.util.Map<String, Batch> batches = new java.util.concurrent.ConcurrentHashMap<>();
    private final String window;
    private volatile String sha;
    private final AtomicLong denied = new AtomicLong();
    private final AtomicLong failedOpen = new AtomicLong();
    /** why: one warning when Redis stops answering the limiter, not one per request. */
    private final AtomicBoolean failing = new AtomicBoolean();

    public RateLimiter(JedisPool pool, RateLimits limits) {
        this.pool = pool;
        this.limits = limits;
        this.signedInInterval = interval(limits.signedIn(), limits.windowMillis());
        this.anonymousInterval = interval(limits.anonymous(), limits.windowMillis());
        this.window = Long.toString(limits.windowMillis());
        this.signedInBatch = batch(limits.signedIn());
        this.anonymousBatch = batch(limits.anonymous());
    }

    private static String batch(long limit) {
        return Long.toString(Math.max(1, Math.min(MAX_BATCH, limit / 100)));
    }

    /** Requests taken from Redis for one key: {@code left} more may be spent until {@code until} (nanoTime). */
    private record Batch(java.util.concurrent.atomic.AtomicInteger left, long until) {
        boolean spendOne() {
            return System.nanoTime() - until < 0 && left.getAndDecrement() > 0;
        }
    }

    private static String interval(long limit, long windowMillis) {
        return limit == 0 ? null : Double.toString((double) windowMillis / limit);
    }

    public RateLimits limits() {
        return limits;
    }

    /** Whether any limit is on; when none is, callers need not even work out who is calling. */
    public boolean enabled() {
        return !limits.off();
    }

    /** One request of this signed-in user. */
    public Decision user(long userId) {
        return take(signedInInterval, signedInBatch, PREFIX + "user:" + userId);
    }

    /** One request from this client address without a valid token. */
    public Decision address(String address) {
        return take(anonymousInterval, anonymousBatch, PREFIX + "addr:" + address);
    }

    /** Requests refused since start. */
    public long denied() {
        return denied.get();
    }

    /** Requests allowed since start because Redis could not count them. */
    public long failedOpen() {
        return failedOpen.get();
    }

    private Decision take(String interval, String batch, String key) {
        if (interval == null) {
            return Decision.ALLOW;
        }
        Batch held = batches.get(key);
        if (held != null && held.spendOne()) {
            return Decision.ALLOW;
        }
        long taken;
        try (Jedis jedis = pool.getResource()) {
            taken = (Long) call(jedis, key, interval, batch);
        } catch (JedisException e) {
            failedOpen.incrementAndGet();
            if (failing.compareAndSet(false, true)) {
                log.warn("rate limits are not enforced while Redis cannot count requests: {}", ExceptionText.summary(e));
            }
            return Decision.ALLOW;
        }
        if (failing.compareAndSet(true, false)) {
            log.info("rate limits are enforced again");
        }
        if (taken < 0) {
            denied.incrementAndGet();
            return new Decision(false, -taken);
        }
        if (taken > 1) {
            if (batches.size() >= MAX_BATCHES_HELD) {
                batches.clear(); // what is dropped is spent: the limits only grow stricter
            }
            batches.put(key, new Batch(new java.util.concurrent.atomic.AtomicInteger((int) taken - 1),
                    System.nanoTime() + BATCH_MILLIS * 1_000_000));
        }
        return Decision.ALLOW;
    }

    private Object call(Jedis jedis, String key, String interval, String batch) {
        List<String> keys = List.of(key);
        List<String> args = List.of(interval, window, batch);
        String known = sha;
        if (known != null) {
            try {
                return jedis.evalsha(known, keys, args);
            } catch (JedisNoScriptException e) {
                // Redis restarted or its scripts were flushed: load it again
            }
        }
        sha = jedis.scriptLoad(SCRIPT);
        return jedis.evalsha(sha, keys, args);
    }
}
