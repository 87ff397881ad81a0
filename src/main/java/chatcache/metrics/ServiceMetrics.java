package chatcache.metrics;

import chatcache.events.EventHub;
import chatcache.logging.LibraryNoise;
import chatcache.message.Fallbacks;
import chatcache.ratelimit.RateLimiter;
import chatcache.replication.CacheRebuild;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.Pool;

import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/** The service's own meters, read from its parts on scrape (README, Metrics, names them all). */
public final class ServiceMetrics {
    private ServiceMetrics() {
    }

    /** Requests the rate limiter refused (429), and those it let through while Redis could not count. */
    public static void rateLimits(MeterRegistry registry, RateLimiter limiter) {
        FunctionCounter.builder("chatcache.ratelimit.denied", limiter, RateLimiter::denied)
                .description("requests refused with 429 by this instance")
                .register(registry);
        FunctionCounter.builder("chatcache.ratelimit.failed.open", limiter, RateLimiter::failedOpen)
                .description("requests allowed uncounted because Redis could not count them")
                .register(registry);
    }

    /** Library log lines that a client can cause, left out by the log's rate limit (logging.LibraryNoise). */
    public static void suppressedLogLines(MeterRegistry registry) {
        FunctionCounter.builder("chatcache.log.suppressed", LibraryNoise.class, c -> LibraryNoise.suppressed())
                .description("library log lines left out because too many came at once")
                .register(registry);
    }

    /** Event streams (GET /chat/{chatId}/events) open on this instance now. */
    public static void eventStreams(MeterRegistry registry, EventHub hub) {
        // why replace: a registry outlives a server in tests (and in a process that restarts its server);
        // Micrometer keeps the first gauge of a name, which would read a stopped hub
        registry.find("chatcache.events.streams").meters().forEach(registry::remove);
        io.micrometer.core.instrument.Gauge.builder("chatcache.events.streams", hub, EventHub::openStreams)
                .description("event streams open on this instance")
                .register(registry);
    }

    /** {@code chatcache.fallbacks{reason}}: Redis-route reads MySQL answered, by cause, since start. */
    public static void fallbacks(MeterRegistry registry, Fallbacks fallbacks) {
        for (Fallbacks.Cause cause : Fallbacks.Cause.values()) {
            FunctionCounter.builder("chatcache.fallbacks", fallbacks, f -> f.count(cause))
                    .tag("reason", cause.name().toLowerCase(Locale.ROOT))
                    .description("reads meant for Redis that MySQL answered, by reason")
                    .register(registry);
        }
    }

    /** {@code chatcache.outbox.backlog}, {@code chatcache.outbox.oldest.age}: changes not confirmed in Redis yet. */
    public static void outbox(MeterRegistry registry, Supplier<Long> rows, Supplier<Long> oldestMillis, LongSupplier now) {
        BacklogGauges.register(registry, "chatcache.outbox", "rows", "outbox rows (changes whose Redis copy is unconfirmed)",
                rows, oldestMillis, now);
    }

    /** {@code chatcache.readmarks.backlog}, {@code chatcache.readmarks.oldest.age}: read marks MySQL has not applied yet. */
    public static void readMarks(MeterRegistry registry, Supplier<Long> entries, Supplier<Long> oldestMillis, LongSupplier now) {
        BacklogGauges.register(registry, "chatcache.readmarks", "entries", "read-mark stream entries (marks made in Redis, not yet in MySQL)",
                entries, oldestMillis, now);
    }

    /** {@code chatcache.rebuild.running}, {@code .done}, {@code .total}: this instance's rebuild of the cache. */
    public static void rebuild(MeterRegistry registry, Supplier<CacheRebuild.Status> status) {
        Gauge.builder("chatcache.rebuild.running", status, s -> s.get().running() ? 1 : 0)
                .description("1 while this instance rebuilds the Redis copy from MySQL, else 0")
                .strongReference(true).register(registry);
        Gauge.builder("chatcache.rebuild.done", status, s -> s.get().done()).baseUnit("messages")
                .description("messages copied by the running (or else the last) rebuild")
                .strongReference(true).register(registry);
        Gauge.builder("chatcache.rebuild.total", status, s -> s.get().total()).baseUnit("messages")
                .description("messages the running (or else the last) rebuild copies in all")
                .strongReference(true).register(registry);
    }

    /**
     * What Redis holds against its budget: {@code chatcache.cache.budget} and {@code .used} (bytes;
     * budget 0: none; used read from Redis at each scrape, NaN when it cannot say),
     * {@code .chats.held}, and this instance's {@code .evictions}, {@code .warmups} with the
     * seconds they took, and {@code .refused} (cold chats whose window alone exceeds the budget).
     * Pages by store are {@code http_server_requests_seconds{store=...}}.
     */
    public static void cache(MeterRegistry registry, LongSupplier budget, Supplier<Long> used,
                             Supplier<Long> chatsHeld, LongSupplier evictions,
                             LongSupplier warmUps, LongSupplier warmUpMillis,
                             LongSupplier refused) {
        Gauge.builder("chatcache.cache.budget", budget, b -> b.getAsLong()).baseUnit("bytes")
                .description("Redis's memory at most before the least recently read chats are evicted (0: no budget)")
                .strongReference(true).register(registry);
        Gauge.builder("chatcache.cache.used", used, u -> orNaN(u.get())).baseUnit("bytes")
                .description("Redis's used_memory now").strongReference(true).register(registry);
        Gauge.builder("chatcache.cache.chats.held", chatsHeld, c -> orNaN(c.get()))
                .description("chats whose window Redis holds").strongReference(true).register(registry);
        FunctionCounter.builder("chatcache.cache.evictions", evictions, e -> e.getAsLong())
                .description("chats this instance evicted from Redis since start").register(registry);
        FunctionCounter.builder("chatcache.cache.warmups", warmUps, w -> w.getAsLong())
                .description("chats this instance loaded into Redis on a reader's first read since start").register(registry);
        FunctionCounter.builder("chatcache.cache.warmup.seconds", warmUpMillis,
                        w -> w.getAsLong() / 1000.0)
                .description("seconds those loads took in all").register(registry);
        FunctionCounter.builder("chatcache.cache.refused", refused, r -> r.getAsLong())
                .description("reads of chats not loaded because their window alone exceeds the budget").register(registry);
    }

    private static double orNaN(Long value) {
        return value == null ? Double.NaN : value;
    }

    /** HikariCP's own meters ({@code hikaricp.connections.*{pool="chatcache-mysql"}}). */
    public static void mysqlPool(MeterRegistry registry, HikariDataSource dataSource) {
        dataSource.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
    }

    /** {@code jedis.pool.active}, {@code .idle}, {@code .waiters}, {@code .max}: the Redis connection pool. */
    public static void redisPool(MeterRegistry registry, Pool<Jedis> pool) {
        jedisGauge(registry, pool, "active", "connections", "connections lent out now", Pool::getNumActive);
        jedisGauge(registry, pool, "idle", "connections", "connections open and unused", Pool::getNumIdle);
        jedisGauge(registry, pool, "waiters", "threads", "threads waiting for a connection", Pool::getNumWaiters);
        jedisGauge(registry, pool, "max", "connections", "most connections the pool opens", Pool::getMaxTotal);
    }

    private static void jedisGauge(MeterRegistry registry, Pool<Jedis> pool, String what, String unit, String description,
                                   ToDoubleFunction<Pool<Jedis>> value) {
        Gauge.builder("jedis.pool." + what, pool, value).baseUnit(unit)
                .tag("pool", "chatcache-redis").description("Redis pool: " + description)
                .strongReference(true).register(registry);
    }

    /** The pages kept in this instance's memory: served from it, read anew, and the bytes held against the bound. */
    public static void hotPages(MeterRegistry registry, chatcache.message.HotPages pages) {
        FunctionCounter.builder("chatcache.hotpages.hits", pages, chatcache.message.HotPages::hits)
                .description("pages served from this instance's memory at the version Redis holds").register(registry);
        FunctionCounter.builder("chatcache.hotpages.misses", pages, chatcache.message.HotPages::misses)
                .description("keepable pages read anew (none kept, or kept at an older version)").register(registry);
        Gauge.builder("chatcache.hotpages.bytes", pages, chatcache.message.HotPages::bytes).baseUnit("bytes")
                .description("bytes of pages kept (bodies and a fixed cost per entry)").register(registry);
        Gauge.builder("chatcache.hotpages.max.bytes", pages, chatcache.message.HotPages::maxBytes).baseUnit("bytes")
                .description("CHATCACHE_HOT_PAGES_MB").register(registry);
        Gauge.builder("chatcache.hotpages.entries", pages, chatcache.message.HotPages::size)
                .description("pages kept").register(registry);
    }
}
