package chatcache.ratelimit;

import chatcache.background.DaemonThreads;
import chatcache.core.BackendUnavailableException;
import chatcache.logging.ExceptionText;
import chatcache.rediskit.LuaScript;
import chatcache.rediskit.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.Pool;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts requests per caller in Redis, so that every instance of a deployment shares one budget.
 * Requests are taken by a Lua script (GCRA, the "generic cell rate algorithm"): a caller's key
 * holds the time at which its budget would be whole again; each request moves it one interval
 * (window / limit) later, and is refused if that would put it more than a window ahead of now.
 * So a caller may send a whole window's worth at once, then one request per interval.
 * The time is Redis's own ({@code TIME}), so instances whose clocks differ still agree; the key
 * expires once the budget is whole, so an idle caller leaves nothing behind.
 *
 * <p>Credit: one call takes up to a batch ({@link #MAX_BATCH}, a hundredth of the limit) of
 * requests, which this instance then spends without asking Redis. While a caller keeps sending,
 * the next batch is taken in the background once half of the credit is spent, so a request waits
 * for Redis only when its caller is new here, idle for a while, or at its limit. Credit a caller
 * leaves unspent for {@link #IDLE_MILLIS} is given back to Redis, so a caller who moves to
 * another instance finds its budget there. why a credit taken ahead instead of counting first
 * and telling Redis afterwards: the budget stays exact across instances (never more than the
 * limit), at the price of up to one and a half batches a caller may find missing on the other
 * instances while this one holds them.
 *
 * <p>Keys: {@code chatcache:ratelimit:user:<id>} for a signed-in caller (its token is never a
 * key), {@code chatcache:ratelimit:addr:<address>} for the others.
 *
 * <p>Redis unreachable: the request is allowed (fail open) and counted ({@link #failedOpen}):
 * refusing every request because the limiter cannot count would turn a cache outage into an
 * outage of the API, which answers from MySQL meanwhile.
 */
public final class RateLimiter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RateLimiter.class);
    private static final String PREFIX = "chatcache:ratelimit:";

    /** GCRA: takes up to a batch of requests (schema/lua/ratelimit-take.lua). */
    private static final LuaScript TAKE = LuaScript.load("ratelimit-take");
    /** Gives unspent credit back (schema/lua/ratelimit-give-back.lua). */
    private static final LuaScript GIVE_BACK = LuaScript.load("ratelimit-give-back");

    /**
     * At most this many requests are taken from Redis at once, and a hundredth of the limit (12 at
     * the default 1,200 a minute). why a hundredth of the limit: a
     * batch taken by one instance and not spent there is missing from the others for a moment, so
     * it stays a small part of any budget (limits under 100 per window take one request at a
     * time, when it is made: exact).
     */
    static final int MAX_BATCH = 1_000;
    /** Requests taken from Redis at once under this limit. */
    static int batchOf(long limit) {
        return (int) Math.max(1, Math.min(MAX_BATCH, limit / 100));
    }

    /** Most credit one instance holds for one caller under this limit: half a batch is left when the next is taken. */
    static int heldAtMost(long limit) {
        return batchOf(limit) + batchOf(limit) / 2;
    }
    /** Credit unspent this long goes back to Redis. */
    static final long IDLE_MILLIS = 1_000;
    private static final int MAX_CALLERS_HELD = 100_000;

    /** Never limits, never asks Redis. */
    public static final RateLimiter OFF = new RateLimiter(null, RateLimits.OFF);

    private final Redis redis;
    private final RateLimits limits;
    private final Budget signedIn;
    private final Budget anonymous;
    private final Map<String, Credit> credits = new ConcurrentHashMap<>();
    private final String window;
    /** Takes the next batches and gives idle credit back; one thread, made on the first batch. */
    private volatile ScheduledExecutorService background;
    private final AtomicLong denied = new AtomicLong();
    private final AtomicLong failedOpen = new AtomicLong();
    private final AtomicLong waited = new AtomicLong();
    /** why: one warning when Redis stops answering the limiter, not one per request. */
    private final AtomicBoolean failing = new AtomicBoolean();

    public RateLimiter(Redis redis, RateLimits limits) {
        this.redis = redis;
        this.limits = limits;
        this.window = Long.toString(limits.windowMillis());
        this.signedIn = Budget.of(limits.signedIn(), limits.windowMillis());
        this.anonymous = Budget.of(limits.anonymous(), limits.windowMillis());
    }

    /** One kind of caller's limit as the scripts take it: null interval = no limit. */
    private record Budget(String interval, int batch) {
        static Budget of(long limit, long windowMillis) {
            return new Budget(limit == 0 ? null : Double.toString((double) windowMillis / limit),
                    batchOf(limit));
        }
    }

    /** Requests of one caller taken from Redis and not spent yet. */
    private static final class Credit {
        final String key;
        final Budget budget;
        final AtomicInteger left = new AtomicInteger();
        /** Set while the next batch is being taken or the credit is being given back: one at a time. */
        final AtomicBoolean busy = new AtomicBoolean();
        volatile long lastSpent = System.nanoTime();

        Credit(String key, Budget budget) {
            this.key = key;
            this.budget = budget;
        }

        /** Spends one request; false when none is left. */
        boolean spendOne() {
            int v;
            do {
                v = left.get();
                if (v <= 0) {
                    return false;
                }
            } while (!left.compareAndSet(v, v - 1));
            lastSpent = System.nanoTime();
            return true;
        }

        boolean low() {
            return budget.batch > 1 && left.get() <= budget.batch / 2;
        }
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
        return take(signedIn, PREFIX + "user:" + userId);
    }

    /** One request from this client address without a valid token. */
    public Decision address(String address) {
        return take(anonymous, PREFIX + "addr:" + address);
    }

    /** Requests refused since start. */
    public long denied() {
        return denied.get();
    }

    /** Requests allowed since start because Redis could not count them. */
    public long failedOpen() {
        return failedOpen.get();
    }

    /** Requests that waited for Redis since start (no credit here): the limiter's cost on a request. */
    public long waited() {
        return waited.get();
    }

    private Decision take(Budget budget, String key) {
        if (budget.interval == null) {
            return Decision.ALLOW;
        }
        Credit held = credits.get(key);
        if (held != null && held.spendOne()) {
            if (held.low() && held.busy.compareAndSet(false, true)) {
                background().execute(() -> refill(held));
            }
            return Decision.ALLOW;
        }
        waited.incrementAndGet();
        // why one at a time once many callers hold credit: what the map holds must stay bounded
        int batch = held == null && credits.size() >= MAX_CALLERS_HELD ? 1 : budget.batch;
        Long taken = call(TAKE, key, budget.interval, window, Integer.toString(batch));
        if (taken == null) {
            return Decision.ALLOW;
        }
        if (taken < 0) {
            denied.incrementAndGet();
            return new Decision(false, -taken);
        }
        if (taken > 1) {
            Credit credit = credits.computeIfAbsent(key, k -> new Credit(k, budget));
            // what lands on a credit given back meanwhile is lost: the limit only grows stricter
            credit.left.addAndGet((int) (taken - 1));
            credit.lastSpent = System.nanoTime();
            background();
        }
        return Decision.ALLOW;
    }

    /** Takes the next batch while half of the last is still there to spend. */
    private void refill(Credit credit) {
        try {
            Long taken = call(TAKE, credit.key, credit.budget.interval, window, Integer.toString(credit.budget.batch));
            if (taken != null && taken > 0) {
                credit.left.addAndGet(taken.intValue());
            }
        } finally {
            credit.busy.set(false);
        }
    }

    /** Gives back to Redis the credit of callers who spent none of it for {@code idleMillis}. */
    void giveBackIdle(long idleMillis) {
        long now = System.nanoTime();
        for (Credit credit : credits.values()) {
            if (now - credit.lastSpent < idleMillis * 1_000_000 || !credit.busy.compareAndSet(false, true)) {
                continue;
            }
            // why remove first: a request that finds no credit here takes a fresh batch; one that
            // still holds this object finds it empty once getAndSet ran, so nothing is spent twice
            credits.remove(credit.key, credit);
            int left = credit.left.getAndSet(0);
            if (left > 0) {
                call(GIVE_BACK, credit.key, credit.budget.interval, Integer.toString(left));
            }
        }
    }

    private ScheduledExecutorService background() {
        ScheduledExecutorService b = background;
        if (b == null) {
            synchronized (this) {
                b = background;
                if (b == null) {
                    b = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("chatcache-ratelimit", false));
                    b.scheduleWithFixedDelay(() -> giveBackIdle(IDLE_MILLIS), IDLE_MILLIS / 4, IDLE_MILLIS / 4,
                            TimeUnit.MILLISECONDS);
                    background = b;
                }
            }
        }
        return b;
    }

    /** Waits until what the background thread was given before this call is done (tests). */
    void awaitBackground() throws Exception {
        background().submit(() -> { }).get();
    }

    /** Gives every unspent credit back, so that other instances find it, and stops the background thread. */
    @Override
    public void close() {
        ScheduledExecutorService b = background;
        if (b == null) {
            return;
        }
        b.shutdown();
        try {
            b.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        giveBackIdle(0);
    }

    /** Runs a script; null when Redis cannot be asked (the request is then let through: fail open). */
    private Long call(LuaScript script, String key, String... args) {
        try {
            Long result = (Long) redis.call(key, "count requests", jedis -> script.eval(jedis, List.of(key), List.of(args)));
            if (failing.compareAndSet(true, false)) {
                log.info("rate limits are enforced again");
            }
            return result;
        } catch (BackendUnavailableException e) {
            failedOpen.incrementAndGet();
            if (failing.compareAndSet(false, true)) {
                log.warn("rate limits are not enforced while Redis cannot count requests: {}", ExceptionText.summary(e));
            }
            return null;
        }
    }
}
