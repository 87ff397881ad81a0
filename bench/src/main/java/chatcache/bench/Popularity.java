package chatcache.bench;

import chatcache.ChatCache;
import chatcache.Config;
import chatcache.events.EventSettings;
import chatcache.ratelimit.RateLimiter;
import chatcache.user.Authenticator;
import chatcache.web.HttpLimits;
import chatcache.web.WebApp;
import io.javalin.Javalin;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Issue #23's popularity workload: many chats, each longer than its window, the newest page of
 * one chat per request with chats drawn Zipf-distributed, first with every chat's window held (no
 * budget), then under a budget of a share of what the whole history would cost Redis, then the
 * same reads on the MySQL route. Reports where pages came from, latency by source, evictions and
 * warm-ups per second, Redis's memory against the budget, how long a cold chat takes to be held,
 * and whether both routes answer alike. Needs an engine that holds windows (RediSearch 2.x).
 */
final class Popularity {
    /** The popularity chats are this + --chat-base + i. */
    static final long CHAT_OFFSET = 700_000_000L;
    private static final String[] SOURCES = {"redis", "redis+mysql", "mysql"};
    private static final long MIB = 1024 * 1024;

    /**
     * @param budgetPercent the budget, in percent of the full copy's estimated bytes
     * @param coldSamples   chats read once while cold, one at a time, to time their warm-up
     */
    record Options(int chats, int messages, int window, int budgetPercent, double zipf, int clients, int limit,
                   int warmupSeconds, int seconds, long chatBase, int coldSamples, long seed) {
        long chatId(int i) {
            return chatBase + CHAT_OFFSET + i;
        }

        int held() {
            return Math.min(messages, window);
        }
    }

    /** One phase's reads: how many pages from each source, their latencies, and the cache meanwhile. */
    record Phase(String name, long pages, long errors, double seconds, long[] bySource, long[][] nanosBySource,
                 long[] allNanos, String firstError, double evictionsPerSecond, double warmUpsPerSecond,
                 long meanUsedBytes, long maxUsedBytes, long chatsHeld) {
        double share(int source) {
            return pages == 0 ? 0 : (double) bySource[source] / pages;
        }
    }

    private final Options o;
    private final PrintStream log;
    private final int[] chatOfRank;
    private final double[] cdf;

    private Popularity(Options o, PrintStream log) {
        this.o = o;
        this.log = log;
        // why shuffled: popularity must not follow the order the chats were loaded in (ids, times)
        Random random = new Random(o.seed());
        chatOfRank = new int[o.chats()];
        for (int i = 0; i < o.chats(); i++) {
            chatOfRank[i] = i;
        }
        for (int i = o.chats() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = chatOfRank[i];
            chatOfRank[i] = chatOfRank[j];
            chatOfRank[j] = t;
        }
        cdf = new double[o.chats()];
        double sum = 0;
        for (int k = 0; k < o.chats(); k++) {
            sum += Math.pow(k + 1, -o.zipf());
            cdf[k] = sum;
        }
        for (int k = 0; k < o.chats(); k++) {
            cdf[k] /= sum;
        }
    }

    /** The run's markdown; not ok when a page was wrong or the routes answered differently. */
    record Report(String markdown, boolean ok) {
    }

    /** Runs every phase over the servers of {@code env}. */
    static Report run(Map<String, String> env, Options o, PrintStream log) throws Exception {
        return new Popularity(o, log).run(env);
    }

    private Report run(Map<String, String> env) throws Exception {
        log.printf(Locale.ROOT, "bench: popularity: %,d chats of %,d messages, window %d, Zipf s=%.2f, seed %d%n",
                o.chats(), o.messages(), o.window(), o.zipf(), o.seed());
        StringBuilder md = new StringBuilder();
        Phase held;
        Phase mysql;
        double bytesPerHeldMessage;
        long baseBytes;
        long budgetBytes;
        String engine;
        String loaded;
        try (ChatCache cache = open(env, 0)) {
            engine = cache.health().redisearchVersion();
            if (cache.health().cache().window() != o.window()) {
                return new Report(String.format(Locale.ROOT, "## Popularity workload: not run%n%nRediSearch %s holds whole"
                        + " chats (windows and eviction need 2.x; see the README), so a budget cannot be measured on it.%n",
                        engine), true);
            }
            loaded = prepareChats(cache);
            Authenticator.Issued api = BenchChat.apiUser(cache);
            if (!cache.cacheState().holdsAll()) {
                // why before the relays: their cache guard would rebuild meanwhile, and a chat it
                // holds is one the warm-up below cannot load
                long t0 = System.nanoTime();
                long messages = cache.rebuild().rebuild(java.util.Optional.empty(), (d, t) -> { });
                log.printf(Locale.ROOT, "bench: popularity: Redis held no complete copy: rebuilt (%,d messages) in %.1f s%n",
                        messages, (System.nanoTime() - t0) / 1e9);
            }
            dropAll(cache);
            cache.startRelays();
            long before = Probes.usedMemory(cache);
            baseBytes = before;
            long t0 = System.nanoTime();
            int warmed = warmAll(cache);
            double warmSeconds = (System.nanoTime() - t0) / 1e9;
            long after = Probes.usedMemory(cache);
            bytesPerHeldMessage = (double) (after - before) / ((long) warmed * o.held());
            long fullCopy = (long) (bytesPerHeldMessage * o.chats() * (long) o.messages());
            budgetBytes = Math.max(MIB, fullCopy / 100 * o.budgetPercent() / MIB * MIB);
            loaded += String.format(Locale.ROOT, "; every window loaded in %.1f s (%,d chats, %.0f warm-ups/s, 2 threads):"
                            + " used_memory %,d → %,d bytes, %.0f bytes per held message; the full copy (%,d messages)"
                            + " would take ~%,d MiB, the budget (%d %%) is %,d MiB",
                    warmSeconds, warmed, warmed / warmSeconds, before, after, bytesPerHeldMessage,
                    (long) o.chats() * o.messages(), fullCopy / MIB, o.budgetPercent(), budgetBytes / MIB);
            log.println("bench: popularity: " + loaded);
            Javalin app = start(cache);
            try {
                InetSocketAddress address = new InetSocketAddress("127.0.0.1", app.port());
                read(cache, address, null, "warm-up (everything held)", o.warmupSeconds());
                held = read(cache, address, null, "everything held (no budget), Redis route", o.seconds());
                mysql = read(cache, address, api.token(), "MySQL route (API token)", o.seconds());
            } finally {
                app.stop();
            }
        }
        Phase budgeted;
        Phase warmup;
        List<Long> coldReads = new ArrayList<>();
        List<Long> untilHeld = new ArrayList<>();
        Parity parity;
        try (ChatCache cache = open(env, budgetBytes / MIB)) {
            cache.startRelays();
            Javalin app = start(cache);
            try {
                InetSocketAddress address = new InetSocketAddress("127.0.0.1", app.port());
                warmup = read(cache, address, null, "warm-up under the budget", o.warmupSeconds());
                budgeted = read(cache, address, null, String.format(Locale.ROOT, "budget %,d MiB, Redis route",
                        budgetBytes / MIB), o.seconds());
                coldFirstReads(cache, address, coldReads, untilHeld);
                parity = parity(cache, address, BenchChat.apiUser(cache).token());
            } finally {
                app.stop();
            }
        }
        List<Phase> phases = List.of(held, warmup, budgeted, mysql);
        md.append(markdown(engine, loaded, bytesPerHeldMessage, baseBytes, budgetBytes, phases, mysql, budgeted, coldReads, untilHeld,
                parity.text()));
        return new Report(md.toString(), parity.equal() && phases.stream().allMatch(p -> p.errors() == 0));
    }

    /** The cache over the servers of {@code env}, with this run's window and a budget (0: none). */
    private ChatCache open(Map<String, String> env, long budgetMib) {
        Map<String, String> settings = new HashMap<>(env);
        settings.put("CHATCACHE_CACHE_WINDOW", Integer.toString(o.window()));
        settings.put("CHATCACHE_CACHE_BUDGET_MB", Long.toString(budgetMib));
        return ChatCache.open(Config.fromEnv(settings), Clock.systemUTC());
    }

    private static Javalin start(ChatCache cache) {
        HttpLimits oneAddress = HttpLimits.DEFAULT.withConnections(HttpLimits.DEFAULT.headerDeadlineMillis(), 1_000_000);
        return WebApp.create(cache, oneAddress, RateLimiter.OFF, EventSettings.DEFAULT).start("127.0.0.1", 0);
    }

    /** Loads what MySQL lacks of the chats (MySQL only: they start cold), and opens them to anonymous readers. */
    private String prepareChats(ChatCache cache) throws SQLException {
        Map<Long, Long> counts = new HashMap<>();
        try (Connection c = cache.database().dataSource().getConnection();
             PreparedStatement q = c.prepareStatement("SELECT chat_id, COUNT(*) FROM messages WHERE chat_id BETWEEN ? AND ?"
                     + " GROUP BY chat_id")) {
            q.setLong(1, o.chatId(0));
            q.setLong(2, o.chatId(o.chats() - 1));
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getLong(1), rs.getLong(2));
                }
            }
        }
        long apiUser = BenchChat.apiUser(cache).user().id();
        long[] authors = BenchChat.authors(cache);
        PrintStream quiet = new PrintStream(java.io.OutputStream.nullOutputStream());
        long t0 = System.nanoTime();
        int loaded = 0;
        for (int i = 0; i < o.chats(); i++) {
            long chat = o.chatId(i);
            long existing = counts.getOrDefault(chat, 0L);
            if (existing < o.messages()) {
                BenchChat.load(cache, chat, existing, o.messages() - existing, quiet, authors,
                        new BenchChat.Layout(o.messages(), apiUser), false);
                loaded++;
                if (loaded % 500 == 0) {
                    log.printf(Locale.ROOT, "bench:   popularity chats: %,d loaded (%,d of %,d looked at), %.0f s%n", loaded,
                            i + 1, o.chats(), (System.nanoTime() - t0) / 1e9);
                }
            }
        }
        long now = System.currentTimeMillis();
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < o.chats(); i++) {
            ids.add(o.chatId(i));
        }
        ids.forEach(id -> cache.chatStore().adopt(id, now));
        cache.chatCopies().copy(ids);
        return loaded == 0 ? String.format(Locale.ROOT, "%,d chats reused", o.chats())
                : String.format(Locale.ROOT, "%,d chats loaded into MySQL in %.0f s", loaded, (System.nanoTime() - t0) / 1e9);
    }

    /** Every popularity chat out of Redis, so that both phases start from cold chats. */
    private void dropAll(ChatCache cache) {
        int dropped = 0;
        for (int i = 0; i < o.chats(); i++) {
            long chat = o.chatId(i);
            if (cache.cacheState().messagesHeld(chat) > 0 && cache.replication().budget().drop(chat)) {
                dropped++;
            }
        }
        log.printf(Locale.ROOT, "bench: popularity: %,d chats dropped from Redis before the run%n", dropped);
    }

    /** Loads every chat's window, two at a time (the warmer's own concurrency); returns how many. */
    private int warmAll(ChatCache cache) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger warmed = new AtomicInteger();
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                workers.add(pool.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < o.chats()) {
                        if (cache.replication().warmer().warmNow(o.chatId(i))) {
                            warmed.incrementAndGet();
                        }
                    }
                }));
            }
            for (Future<?> w : workers) {
                w.get();
            }
        } finally {
            pool.shutdownNow();
        }
        if (warmed.get() != o.chats()) {
            throw new IllegalStateException(warmed.get() + " of " + o.chats() + " windows loaded");
        }
        return warmed.get();
    }

    /**
     * {@code clients} closed-loop clients for {@code seconds}, each asking the newest page of a chat
     * drawn by popularity ({@code token} null: anonymous, the Redis route); memory sampled meanwhile.
     */
    private Phase read(ChatCache cache, InetSocketAddress address, String token, String name, int seconds)
            throws Exception {
        Workload latest = Workload.latest(o.limit());
        Route route = token == null ? Route.REDIS : Route.MYSQL;
        List<Tally> tallies = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger clientNo = new AtomicInteger();
        ClosedLoop.ClientFactory factory = () -> {
            KeepAliveConnection connection = new KeepAliveConnection(address, HttpLoad.TIMEOUT_MILLIS);
            Tally tally = new Tally();
            tallies.add(tally);
            Random random = new Random(o.seed() * 1_000 + clientNo.incrementAndGet() + name.hashCode());
            return new ClosedLoop.Client() {
                @Override
                public ClosedLoop.Op op() {
                    return () -> {
                        long chat = o.chatId(chatOfRank[rank(random.nextDouble())]);
                        long t0 = System.nanoTime();
                        HttpLoad.Answer answer;
                        try {
                            answer = HttpLoad.answer(connection.exchange(
                                    KeepAliveConnection.post(address, latest.path(chat), token, latest.body())));
                        } catch (IOException e) {
                            return e.toString();
                        }
                        tally.add(answer.source(), System.nanoTime() - t0);
                        return answer.problem(latest, route);
                    };
                }

                @Override
                public void close() {
                    connection.close();
                }
            };
        };
        ChatCache.CacheUse start = cache.health().cache();
        MemorySampler memory = new MemorySampler(cache);
        ClosedLoop.Run run;
        try {
            run = ClosedLoop.run(factory, o.clients(), Duration.ZERO, Duration.ofSeconds(seconds));
        } finally {
            memory.stop();
        }
        ChatCache.CacheUse end = cache.health().cache();
        long[] bySource = new long[SOURCES.length];
        long[][] nanos = new long[SOURCES.length][];
        for (int s = 0; s < SOURCES.length; s++) {
            int source = s;
            nanos[s] = tallies.stream().flatMapToLong(t -> Arrays.stream(t.nanos(source))).sorted().toArray();
            bySource[s] = nanos[s].length;
        }
        Phase phase = new Phase(name, run.requests(), run.errors(), run.seconds(), bySource, nanos, run.sortedNanos(),
                run.firstError(), (end.evictions() - start.evictions()) / run.seconds(),
                (end.warmUps() - start.warmUps()) / run.seconds(), memory.mean(), memory.max(),
                end.chatsHeld() == null ? -1 : end.chatsHeld());
        log.printf(Locale.ROOT, "bench: popularity: %s: %,.0f pages/s, p99 %.2f ms, %.1f %% from Redis, %.1f evictions/s,"
                        + " %.1f warm-ups/s, used_memory max %,d MiB, %d errors%s%n", name,
                (phase.pages() - phase.errors()) / phase.seconds(), BenchResult.Row.percentile(phase.allNanos(), 0.99),
                100 * phase.share(0), phase.evictionsPerSecond(), phase.warmUpsPerSecond(), phase.maxUsedBytes() / MIB,
                phase.errors(), phase.firstError() == null ? "" : " (first: " + phase.firstError() + ")");
        return phase;
    }

    /** The popularity rank of a uniform draw u in [0, 1). */
    private int rank(double u) {
        int i = Arrays.binarySearch(cdf, u);
        return Math.min(o.chats() - 1, i >= 0 ? i : -i - 1);
    }

    /** Latencies by source, one client's. */
    private static final class Tally {
        private final long[][] nanos = new long[SOURCES.length][1024];
        private final int[] counts = new int[SOURCES.length];

        void add(String source, long took) {
            int s = Arrays.asList(SOURCES).indexOf(source);
            if (s < 0) {
                return;
            }
            if (counts[s] == nanos[s].length) {
                nanos[s] = Arrays.copyOf(nanos[s], counts[s] * 2);
            }
            nanos[s][counts[s]++] = took;
        }

        long[] nanos(int source) {
            return Arrays.copyOf(nanos[source], counts[source]);
        }
    }

    /** Redis's used_memory every 200 ms on a thread of its own, until stopped. */
    private static final class MemorySampler {
        private final Thread thread;
        private volatile boolean stop;
        private long sum;
        private long samples;
        private long max;

        MemorySampler(ChatCache cache) {
            thread = new Thread(() -> {
                while (!stop) {
                    long used = Probes.usedMemory(cache);
                    synchronized (this) {
                        sum += used;
                        samples++;
                        max = Math.max(max, used);
                    }
                    try {
                        Thread.sleep(200); // why: a sampling period, not a wait for anything
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "bench-memory");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            stop = true;
            thread.interrupt();
            thread.join();
        }

        synchronized long mean() {
            return samples == 0 ? 0 : sum / samples;
        }

        synchronized long max() {
            return max;
        }
    }

    /**
     * Chats of the least popular ranks that Redis does not hold, one at a time: the first read's
     * latency (answered by MySQL), then how long until the chat's window is held.
     */
    private void coldFirstReads(ChatCache cache, InetSocketAddress address, List<Long> firstReads, List<Long> untilHeld)
            throws Exception {
        Workload latest = Workload.latest(o.limit());
        HttpLoad http = new HttpLoad(address);
        for (int r = o.chats() - 1; r >= 0 && firstReads.size() < o.coldSamples(); r--) {
            long chat = o.chatId(chatOfRank[r]);
            if (cache.cacheState().messagesHeld(chat) > 0) {
                continue;
            }
            long t0 = System.nanoTime();
            HttpLoad.Answer answer = http.fetch(chat, null, latest);
            long read = System.nanoTime() - t0;
            if (!answer.ok(latest, Route.REDIS)) {
                throw new IllegalStateException("cold chat " + chat + ": " + answer.problem(latest, Route.REDIS));
            }
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (cache.cacheState().messagesHeld(chat) < o.held()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("cold chat " + chat + " was not held 30 s after its first read");
                }
                Thread.sleep(1); // why: polling the cache's state, the thing measured; a bench, not a test
            }
            untilHeld.add(System.nanoTime() - t0);
            firstReads.add(read);
        }
        firstReads.sort(null);
        untilHeld.sort(null);
    }

    /** What the routes' comparison found. */
    private record Parity(String text, boolean equal) {
    }

    /** The newest page of sampled chats (held or not) on both routes, ids compared. */
    private Parity parity(ChatCache cache, InetSocketAddress address, String apiToken) {
        Workload latest = Workload.latest(o.limit());
        HttpLoad http = new HttpLoad(address);
        Random random = new Random(o.seed());
        int compared = 0;
        int heldCompared = 0;
        List<String> differing = new ArrayList<>();
        for (int n = 0; n < 200; n++) {
            long chat = o.chatId(chatOfRank[rank(random.nextDouble())]);
            boolean held = cache.cacheState().messagesHeld(chat) > 0;
            HttpLoad.Answer redis = http.fetch(chat, null, latest);
            HttpLoad.Answer mysql = http.fetch(chat, apiToken, latest);
            compared++;
            heldCompared += held ? 1 : 0;
            if (!redis.ids().equals(mysql.ids()) || redis.hasOlder() != mysql.hasOlder()) {
                differing.add(chat + " (" + redis.source() + ")");
            }
        }
        return new Parity(String.format(Locale.ROOT, "%d newest pages drawn by popularity (%d of held chats) asked on both"
                + " routes after the budget phase: %s", compared, heldCompared,
                differing.isEmpty() ? "all equal" : differing.size() + " differ: " + differing), differing.isEmpty());
    }

    /** The share of reads that go to the {@code k} most popular chats. */
    private double topShare(long k) {
        return k <= 0 ? 0 : cdf[(int) Math.min(o.chats(), k) - 1];
    }

    private String markdown(String engine, String loaded, double bytesPerHeldMessage, long baseBytes, long budgetBytes,
                            List<Phase> phases,
                            Phase mysql, Phase budgeted, List<Long> coldReads, List<Long> untilHeld, String parity) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "## Popularity: %,d chats of %,d messages, window %d, newest page of %d,"
                        + " chats drawn Zipf s = %.2f, %d clients, RediSearch %s%n%n", o.chats(), o.messages(), o.window(),
                o.limit(), o.zipf(), o.clients(), engine));
        md.append(loaded).append(".\n\n");
        md.append("| phase | s | pages/s | p50 ms | p99 ms | from Redis | Redis+MySQL | MySQL | p99 Redis ms | p99 MySQL-sourced ms"
                + " | evictions/s | warm-ups/s | used_memory mean / max MiB | chats held | errors |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Phase p : phases) {
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %,.0f | %.2f | %.2f | %.1f %% | %.1f %% | %.1f %% | %s | %s | %.1f"
                            + " | %.1f | %,d / %,d | %,d | %d |%n", p.name(), p.seconds(), (p.pages() - p.errors()) / p.seconds(),
                    BenchResult.Row.percentile(p.allNanos(), 0.50), BenchResult.Row.percentile(p.allNanos(), 0.99),
                    100 * p.share(0), 100 * p.share(1), 100 * p.share(2), p99(p.nanosBySource()[0]),
                    p99(p.nanosBySource()[2]), p.evictionsPerSecond(), p.warmUpsPerSecond(), p.meanUsedBytes() / MIB,
                    p.maxUsedBytes() / MIB, p.chatsHeld(), p.errors()));
        }
        long fits = (long) (budgetBytes * 0.9 / (bytesPerHeldMessage * o.held()));
        long fitsBeside = (long) Math.max(0, (budgetBytes * 0.9 - baseBytes) / (bytesPerHeldMessage * o.held()));
        md.append(String.format(Locale.ROOT, "%nWith the budget, about %,d windows fit (90 %% of %,d MiB at %.0f bytes per"
                        + " held message): if Redis held exactly the %,d most popular chats, %.1f %% of reads would find"
                        + " their chat held (the Zipf distribution's bound for this budget). Beside what Redis used before"
                        + " any window was loaded (%,d MiB: chats' records, tokens, event streams, the index's tables),"
                        + " %,d fit: %.1f %%.%n", fits, budgetBytes / MIB, bytesPerHeldMessage, fits, 100 * topShare(fits),
                baseBytes / MIB, fitsBeside, 100 * topShare(fitsBeside)));
        Phase held = phases.get(0);
        md.append(String.format(Locale.ROOT, "%nUnder the budget: %.1f %% of pages from Redis (target ≥ 95 %%); Redis-route"
                        + " p99 %.2f ms against %.2f ms with everything held (%.2fx; target ≤ 1.2x); MySQL route p99 %.2f ms.%n",
                100 * budgeted.share(0), BenchResult.Row.percentile(budgeted.allNanos(), 0.99),
                BenchResult.Row.percentile(held.allNanos(), 0.99),
                BenchResult.Row.percentile(budgeted.allNanos(), 0.99) / BenchResult.Row.percentile(held.allNanos(), 0.99),
                BenchResult.Row.percentile(mysql.allNanos(), 0.99)));
        long[] cold = coldReads.stream().mapToLong(Long::longValue).toArray();
        long[] until = untilHeld.stream().mapToLong(Long::longValue).toArray();
        double mysqlP99 = BenchResult.Row.percentile(mysql.allNanos(), 0.99);
        md.append(String.format(Locale.ROOT, "%nFirst reads of cold chats: under load (the budget phase's pages answered by"
                        + " MySQL, %,d): p99 %s ms against the MySQL route's %.2f ms under the same load (%s; target ≤ 1.2x);"
                        + " alone (%d least popular chats, one request at a time): p50 %.2f ms, p99 %.2f ms. Time from"
                        + " that first read until the chat's window is held: p50 %.1f ms, p99 %.1f ms, max %.1f ms.%n",
                budgeted.bySource()[2], p99(budgeted.nanosBySource()[2]), mysqlP99,
                budgeted.bySource()[2] == 0 ? "n/a" : String.format(Locale.ROOT, "%.2fx",
                        BenchResult.Row.percentile(budgeted.nanosBySource()[2], 0.99) / mysqlP99),
                cold.length, BenchResult.Row.percentile(cold, 0.50), BenchResult.Row.percentile(cold, 0.99),
                BenchResult.Row.percentile(until, 0.50), BenchResult.Row.percentile(until, 0.99),
                until.length == 0 ? Double.NaN : until[until.length - 1] / 1e6));
        md.append("\nParity: ").append(parity).append(".\n");
        return md.toString();
    }

    private static String p99(long[] sortedNanos) {
        return sortedNanos.length == 0 ? "–" : String.format(Locale.ROOT, "%.2f", BenchResult.Row.percentile(sortedNanos, 0.99));
    }
}
