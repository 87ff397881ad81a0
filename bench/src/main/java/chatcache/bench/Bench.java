package chatcache.bench;

import chatcache.ChatCache;
import chatcache.events.EventSettings;
import chatcache.query.OrderKey;
import chatcache.query.SearchCriteria;
import chatcache.ratelimit.RateLimiter;
import chatcache.ratelimit.RateLimits;
import chatcache.user.Authenticator;
import chatcache.user.Role;
import chatcache.web.HttpLimits;
import chatcache.web.WebApp;
import com.zaxxer.hikari.HikariDataSource;
import io.javalin.Javalin;

import java.io.PrintStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The benchmark's core: makes the bench chats, starts the real app in-process on 127.0.0.1, and
 * measures every workload on every path (app over HTTP on both routes, raw engine baselines) for
 * every size and client count. Returns every figure; prints only progress.
 */
public final class Bench {
    /** Random anchors per size and workload whose Redis and MySQL answers are compared, beyond the measured ones. */
    static final int SAMPLED_ANSWERS = 10;

    private Bench() {
    }

    /**
     * A row being measured in windows: the operation and the windows taken so far; for a row
     * under writes, the writers' load and what it did in each window.
     */
    private record Pending(int size, String workload, String path, int clients, ClosedLoop.ClientFactory factory,
                           List<ClosedLoop.Run> windows, Map<String, Long> statements,
                           ClosedLoop.ClientFactory writers, int writerClients, List<ClosedLoop.Run> writerWindows,
                           EventPosts posts) {
        Pending(int size, String workload, String path, int clients, ClosedLoop.ClientFactory factory,
                Map<String, Long> statements) {
            this(size, workload, path, clients, factory, new ArrayList<>(), statements, null, 0, null, null);
        }

        /** A row measured while posts stream to the live-events subscribers (issue #13). */
        static Pending withPosts(int size, String workload, String path, int clients, ClosedLoop.ClientFactory factory,
                                 EventPosts posts) {
            return new Pending(size, workload, path, clients, factory, new ArrayList<>(), null, null, 0, null, posts);
        }
    }

    /** Writers start this long before a window under writes, so that they post at their pace when it opens. */
    static final Duration WRITERS_RAMP = Duration.ofMillis(200);

    /**
     * Runs the bench over {@code cache}'s servers, writing progress to {@code log}. Starts the
     * cache's background relays (as the server does); closing the cache stops them.
     */
    public static BenchResult run(ChatCache cache, BenchOptions o, PrintStream log) throws Exception {
        if (o.baselines() && cache.redis().pool().isEmpty()) {
            // why: a raw client holds one connection, and a cluster's chats are on several nodes
            throw new IllegalArgumentException("the raw Redis baselines need one Redis: run with --no-baselines on a Redis Cluster");
        }
        Machine machine = Machine.describe(cache);
        log.println("bench: machine: " + machine.line());
        String background = BenchChat.prepareBackground(cache, o, log);
        log.println("bench: " + background);

        // why the API user of the chats' layout on the MySQL route: it never marks its own messages
        Authenticator.Issued apiUser = BenchChat.apiUser(cache);
        Map<Route, String> tokens = new EnumMap<>(Route.class);
        tokens.put(Route.REDIS, cache.authenticator().issue("bench-reader-" + Route.REDIS.label(), Route.REDIS.role()).token());
        tokens.put(Route.MYSQL, apiUser.token());
        Authenticator.Issued writerUser = cache.authenticator().issue("bench-writer", Role.USER);
        // before the relays start (loadChats says why)
        Map<Integer, ChatLoad> loads = loadChats(cache, o, apiUser.user().id(), writerUser.user().id(), log);
        String member = cache.authenticator().issue("bench-member", Role.USER).token();
        Authenticator.Issued unreader = cache.authenticator().issue("bench-unread", Role.USER);
        int unreadChats = BenchChat.joinChats(cache, o, cache.authenticator().authenticate(member).orElseThrow().id(),
                unreader.user().id(), log);
        Callers callers = new Callers(tokens, apiUser.user().id(), writerUser.token(), member, unreader.token(), unreadChats);

        cache.startRelays();
        Apps apps = Apps.start(cache);
        HikariDataSource rawMysql = o.baselines() ? RawBaseline.pool(cache.database().dataSource(), o.mostClients()) : null;
        Session session = new Session(cache, o, log, callers, apps, rawMysql);
        try {
            session.measureAll(loads);
        } finally {
            apps.stop(log);
            if (rawMysql != null) {
                rawMysql.close();
            }
        }
        Probes.MysqlFootprint mysql = Probes.mysqlFootprint(cache);
        BenchResult result = new BenchResult(o, machine, background, session.warmup, session.sizes, session.rows,
                session.comparisons, mysql, session.idle, session.marks, session.events);
        summarizeUnderWrites(result, log);
        return result;
    }

    /**
     * The measured chats, one per size (loaded, or reused), and the chats the writers and the
     * live-events subscribers use.
     */
    private static Map<Integer, ChatLoad> loadChats(ChatCache cache, BenchOptions o, long apiUserId, long writerId,
                                                    PrintStream log) throws Exception {
        // why before the relays: the server's cache guard rebuilds a Redis that claims no complete
        // copy as soon as they start; the loads' own rebuilds running beside it re-index the same
        // hashes from two connections at once, which RediSearch 1.2 answers wrongly ever after (tag
        // intersections miss documents; reproduced with three connections re-adding the same hashes)
        Map<Integer, ChatLoad> loads = new LinkedHashMap<>();
        for (int n : o.sizes()) {
            ChatLoad load = BenchChat.prepare(cache, o.chatIdOf(n), n, apiUserId, log);
            log.println("bench: " + load.describe());
            loads.put(n, load);
        }
        BenchChat.openChats(cache, o, writerId);
        if (o.subscribers() > 0) {
            LiveEventsSetup.openChats(cache, o, writerId);
        }
        return loads;
    }

    /**
     * Who the bench's requests come from: a token per route (a USER on the Redis route, the chats'
     * API user on the MySQL route), the writers' USER, a member of the measured chats and the
     * caller of GET /me/unread, who follows {@code unreadChats} chats.
     */
    private record Callers(Map<Route, String> tokens, long apiUserId, String writer, String member, String unreader,
                           int unreadChats) {
    }

    /** The apps over the cache's stores, in-process on 127.0.0.1: the measured one, one through a rate limiter, its control. */
    private record Apps(Javalin app, Javalin limited, Javalin control, RateLimiter limiter) {
        static Apps start(ChatCache cache) {
            // why no per-address cap: every client of the bench (its 1,000 event streams among them) is 127.0.0.1
            HttpLimits oneAddress = HttpLimits.DEFAULT.withConnections(HttpLimits.DEFAULT.headerDeadlineMillis(), 1_000_000);
            Javalin app = WebApp.create(cache, oneAddress, RateLimiter.OFF, EventSettings.DEFAULT).start("127.0.0.1", 0);
            // why a second app: the same reads through the rate limiter, side by side with the same rounds, measure its cost
            RateLimiter limiter = new RateLimiter(cache.redis(), NEVER_REACHED);
            Javalin limited = WebApp.create(cache.messages(), cache.chats(), cache.authenticator(), cache::health,
                    oneAddress, limiter).start("127.0.0.1", 0);
            // why a third app without a limiter: two apps in one JVM differ by themselves (their own
            // threads, JIT profiles); the limiter's cost is what the limited app adds over this one
            Javalin control = WebApp.create(cache.messages(), cache.chats(), cache.authenticator(), cache::health,
                    oneAddress, RateLimiter.OFF).start("127.0.0.1", 0);
            return new Apps(app, limited, control, limiter);
        }

        void stop(PrintStream log) {
            app.stop();
            limited.stop();
            control.stop();
            limiter.close();
            log.println("bench: rate limiter: " + limiter.waited() + " requests of the rate-limited row waited for Redis");
        }
    }

    /**
     * One run's measuring, once the chats are loaded and the apps are up: the HTTP clients of the
     * apps, and the figures collected phase by phase (chats, warm-up, read rounds, writes, live
     * events, the second comparison).
     */
    private static final class Session {
        private final ChatCache cache;
        private final BenchOptions o;
        private final PrintStream log;
        private final Callers callers;
        private final InetSocketAddress appAddress;
        private final HttpLoad http;
        private final HttpLoad limitedHttp;
        private final HttpLoad controlHttp;
        private final HikariDataSource rawMysql;
        private final Map<Integer, List<Workload>> sampledBySize = new LinkedHashMap<>();
        final List<BenchResult.Size> sizes = new ArrayList<>();
        final List<BenchResult.Row> rows = new ArrayList<>();
        final List<BenchResult.Comparison> comparisons = new ArrayList<>();
        Map<String, Double> idle;
        BenchResult.Marks marks;
        BenchResult.Events events;
        String warmup = "none";

        Session(ChatCache cache, BenchOptions o, PrintStream log, Callers callers, Apps apps, HikariDataSource rawMysql) {
            this.cache = cache;
            this.o = o;
            this.log = log;
            this.callers = callers;
            this.appAddress = new InetSocketAddress("127.0.0.1", apps.app().port());
            this.http = new HttpLoad(appAddress);
            this.limitedHttp = new HttpLoad(new InetSocketAddress("127.0.0.1", apps.limited().port()));
            this.controlHttp = new HttpLoad(new InetSocketAddress("127.0.0.1", apps.control().port()));
            this.rawMysql = rawMysql;
        }

        void measureAll(Map<Integer, ChatLoad> loads) throws Exception {
            log.printf("bench: app on 127.0.0.1:%d%n", appAddress.getPort());
            idle = idleRate(cache, Math.max(1000, o.roundMillis()));
            log.println("bench: MySQL statements at idle (relays polling): " + idle);
            for (int n : o.sizes()) {
                describeChat(n, loads.get(n));
            }
            if (o.warmupMillis() > 0) {
                warmup = warmUpAll();
            }
            // why every size in the same rounds: the size ratios compare rows measured side by side,
            // so that drift (JIT, other processes on the machine) does not favour one size
            for (int c : o.clients()) {
                measureReads(c);
            }
            if (o.writes()) {
                measureWrites();
            }
            if (o.subscribers() > 0) {
                events = liveEvents(cache, appAddress, http, callers.tokens().get(Route.REDIS), callers.writer(), sizes,
                        rows, o, log);
            }
            compareAgain();
        }

        /** The chat of size n: its workloads with their answers, its Redis footprint, and the first comparison. */
        private void describeChat(int n, ChatLoad load) throws Exception {
            long chatId = o.chatIdOf(n);
            Map<Route, String> tokens = callers.tokens();
            Bodies bodies = bodies(cache, http, tokens, n, chatId, callers.apiUserId(), o, log);
            List<Workload> workloads = bodies.measured();
            Map<Long, Long> authors = BenchChat.authorCounts(cache, chatId);
            Probes.RedisFootprint footprint = Probes.redisFootprint(cache, chatId, List.copyOf(authors.keySet()));
            sizes.add(new BenchResult.Size(n, load, workloads, footprint));
            log.printf(Locale.ROOT, "bench: N=%,d: Redis %.0f B/message (hash %.0f, order indexes %.0f, index %.0f)%n", n,
                    footprint.totalPerMessage(), footprint.hashBytesPerMessage(), footprint.orderSetBytesPerMessage(),
                    footprint.indexBytesPerMessage());

            compare(http, tokens, n, chatId, workloads, bodies.sampled(), false, comparisons, log);
            sampledBySize.put(n, bodies.sampled());
        }

        /** Unmeasured passes over every read row (and the write row) with the most clients; what they took. */
        private String warmUpAll() throws InterruptedException {
            Map<Route, String> tokens = callers.tokens();
            List<Pending> warm = readRows(sizes, o.mostClients(), false, http, tokens, cache, rawMysql, o);
            warm.addAll(rateLimitedRows(sizes, o.mostClients(), limitedHttp, controlHttp, tokens, o));
            if (o.writes()) {
                warm.add(writeRow(o.mostClients(), http, callers.writer(), o));
            }
            return warmUp(warm, o, log);
        }

        /** Every read row of every size with c clients, in the same rounds. */
        private void measureReads(int c) throws Exception {
            Map<Route, String> tokens = callers.tokens();
            List<Pending> pending = readRows(sizes, c, true, http, tokens, cache, rawMysql, o);
            pending.addAll(memberRows(sizes, c, http, callers.member(), callers.unreader(), callers.unreadChats(), o));
            pending.addAll(rateLimitedRows(sizes, c, limitedHttp, controlHttp, tokens, o));
            if (o.underWrites()) {
                pending.addAll(underWritesRows(sizes, c, http, tokens, callers.writer(), o));
                pending.addAll(hotPageRows(sizes, c, http, appAddress, tokens, callers.writer(), o));
            }
            measure(cache, pending, o, c + " clients", log);
            for (Pending p : pending) {
                rows.add(row(p, log));
            }
        }

        /** The write row at each client count, then the read marks' check. */
        private void measureWrites() throws Exception {
            for (int c : o.clients()) {
                Pending p = writeRow(c, http, callers.writer(), o);
                measure(cache, List.of(p), o, "writes, " + c + " clients", log);
                rows.add(row(p, log));
            }
            marks = marks(cache, http, callers.tokens().get(Route.REDIS), o.writeChatId(), idle, log);
        }

        /**
         * The answers compared again. why again: a measured answer is checked for its size and route
         * only; an index that drifted while the rows ran (marks, writes, the engine's own upkeep) shows here
         */
        private void compareAgain() throws Exception {
            for (BenchResult.Size size : sizes) {
                compare(http, callers.tokens(), size.messages(), o.chatIdOf(size.messages()), size.workloads(),
                        sampledBySize.get(size.messages()), true, comparisons, log);
            }
        }
    }

    /** The read workloads of one chat, and the sampled bodies compared on both routes beyond them. */
    private record Bodies(List<Workload> measured, List<Workload> sampled) {
    }

    /**
     * Every read workload of one chat, with the answers they must give; before their expected
     * sizes are counted, the Redis route's USER reads every body it will send, so that what it
     * marks is marked before anything is counted, compared or measured, and both stores agree on
     * the marks (see {@link BenchChat#reconcileReadMarks}).
     */
    private static Bodies bodies(ChatCache cache, HttpLoad http, Map<Route, String> tokens, int n,
                                 long chatId, long apiUser, BenchOptions o, PrintStream log) throws Exception {
        Map<Long, Long> authors = BenchChat.authorCounts(cache, chatId);
        long total = authors.values().stream().mapToLong(Long::longValue).sum();
        long common = BenchChat.wordMatches(cache, chatId, ChatText.COMMON_MARKER);
        BenchChat.checkLayout(chatId, total, common, authors.getOrDefault(apiUser, 0L), apiUser);
        // the author rows: among the 20 bench authors (the API user wrote ~27 %, not a single author's share)
        Map<Long, Long> benchAuthors = new LinkedHashMap<>(authors);
        benchAuthors.remove(apiUser);
        java.util.Comparator<Map.Entry<Long, Long>> nearFivePercent =
                java.util.Comparator.comparingDouble(e -> Math.abs(e.getValue() - 0.05 * total));
        long author = benchAuthors.entrySet().stream().min(nearFivePercent).orElseThrow().getKey();
        int depth = o.depthIn(n);
        long anchorId = BenchChat.anchorAtDepth(cache, chatId, depth);
        OrderKey anchor = BenchChat.orderKeyOf(cache, anchorId);
        // three authors with about 5 % of the chat each, and a window of 2 % of the chat's
        // messages in its middle (by depth): issue #10's filter rows
        List<Long> three = benchAuthors.entrySet().stream().sorted(nearFivePercent)
                .limit(3).map(Map.Entry::getKey).sorted().toList();
        double threeShare = three.stream().mapToLong(authors::get).sum() / (double) Math.max(1, total);
        int windowTop = (int) (0.49 * n);
        long until = BenchChat.orderKeyOf(cache, BenchChat.anchorAtDepth(cache, chatId, windowTop)).createdAt();
        long since = BenchChat.orderKeyOf(cache, BenchChat.anchorAtDepth(cache, chatId, (int) (0.51 * n))).createdAt();
        int unreadDepth = (int) (0.75 * n);
        long unreadAnchorId = BenchChat.anchorAtDepth(cache, chatId, unreadDepth);
        OrderKey unreadAnchor = BenchChat.orderKeyOf(cache, unreadAnchorId);
        long rare = BenchChat.wordMatches(cache, chatId, ChatText.RARE_MARKER);
        long two = BenchChat.wordMatches(cache, chatId, ChatText.TWO_WORDS);
        int limit = o.limit();
        int defaultLimit = SearchCriteria.DEFAULT_LIMIT;
        List<Workload> marking = List.of(Workload.latest(limit),
                Workload.author(limit, author, authors.get(author), total),
                Workload.deep(limit, depth, anchorId, anchor),
                Workload.authors(limit, three, threeShare),
                Workload.since(limit, since, Math.max(until, since + 1), windowTop),
                Workload.wordsCommon(limit, common, total, (int) Math.min(limit, common)),
                Workload.wordsRare(rare, (int) Math.min(defaultLimit, rare)),
                Workload.twoWords(limit, two, total, (int) Math.min(limit, two)));

        List<Workload> sampled = sampled(cache, chatId, marking.get(1), n, o);
        for (Workload w : marking) {
            HttpLoad.Answer a = http.fetch(chatId, tokens.get(Route.REDIS), w);
            if (a.error() != null) {
                throw new IllegalStateException("N=" + n + " " + w.name() + " " + w.body() + ": " + a.error());
            }
        }
        BenchChat.Reconciled marks = BenchChat.reconcileReadMarks(cache, chatId, apiUser, log);

        OrderKey middle = BenchChat.orderKeyOf(cache, BenchChat.anchorAtDepth(cache, chatId, n / 2));
        long[] newerHalf = BenchChat.unreadBetween(cache, chatId, null, middle);
        long[] belowAnchor = BenchChat.unreadBetween(cache, chatId, unreadAnchor, null);
        log.printf(Locale.ROOT, "bench: N=%,d: %,d unread (%.1f%% of the newer half, %.1f%% below the unread row's anchor);"
                        + " \"%s\" in %,d messages, \"%s\" in %,d, \"%s\" in %,d (%.2f%%)%s%n", n, marks.unread(),
                100.0 * newerHalf[0] / Math.max(1, newerHalf[1]), 100.0 * belowAnchor[0] / Math.max(1, belowAnchor[1]),
                ChatText.COMMON_MARKER, common, ChatText.RARE_MARKER, rare, ChatText.TWO_WORDS, two,
                100.0 * two / Math.max(1, total), marks.toRedis() + marks.toMysql() == 0 ? ""
                        : "; read marks copied: " + marks.toRedis() + " to Redis, " + marks.toMysql() + " to MySQL");
        List<Workload> all = new ArrayList<>(marking.subList(0, 5));
        all.add(Workload.unreadNewest(limit, apiUser, (double) newerHalf[0] / Math.max(1, newerHalf[1]),
                (int) Math.min(limit, marks.unread())));
        all.add(Workload.unreadDeep(limit, unreadAnchorId, unreadDepth, apiUser,
                (double) belowAnchor[0] / Math.max(1, belowAnchor[1]), (int) Math.min(limit, belowAnchor[0])));
        all.addAll(marking.subList(5, marking.size()));
        return new Bodies(List.copyOf(all), sampled);
    }

    /**
     * Random anchors whose pages are compared on both routes beyond the measured bodies: deep, and
     * of one author. Anonymous on the Redis route: ten random pages read by a USER would mark the
     * unread rows' data all over the chat.
     */
    private static List<Workload> sampled(ChatCache cache, long chatId, Workload byAuthor, int n, BenchOptions o)
            throws java.sql.SQLException {
        List<Workload> bodies = new ArrayList<>();
        for (long id : BenchChat.spreadIds(cache, chatId, 0, SAMPLED_ANSWERS, n)) {
            bodies.add(new Workload("deep (sampled)", "", "{\"limit\":" + o.limit() + ",\"before\":" + id + "}", -1,
                    0, null, id, 0, false, true, true));
        }
        for (long id : BenchChat.spreadIds(cache, chatId, byAuthor.authorId(), SAMPLED_ANSWERS, n + 1)) {
            bodies.add(new Workload("author (sampled)", "", "{\"limit\":" + o.limit() + ",\"userId\":"
                    + byAuthor.authorId() + ",\"before\":" + id + "}", -1, byAuthor.authorId(), null, id, 0, false,
                    true, true));
        }
        return bodies;
    }

    /** The token a route's caller sends for a workload: none on the Redis route for the rows that must not mark. */
    private static String token(Map<Route, String> tokens, Workload w, Route route) {
        return route == Route.REDIS && w.anonymous() ? null : tokens.get(route);
    }

    /**
     * Issue #13: --subscribers streams over --subscriber-chats chats opened against the app (each
     * checked: 200 and its {@code retry:} line), the heap with them open against before, then, for
     * every client count, rounds of the latest page on the Redis route with the streams open and
     * idle, and again while posts stream to them at --event-posts-per-second; every (post,
     * subscriber of its chat) pair must be delivered once. The streams are closed at the end, so
     * the rows measured before (every other row) ran without them.
     */
    private static BenchResult.Events liveEvents(ChatCache cache, InetSocketAddress address, HttpLoad http, String reader,
                                                 String writer, List<BenchResult.Size> sizes, List<BenchResult.Row> rows,
                                                 BenchOptions o, PrintStream log) throws Exception {
        List<Long> chats = LiveEventsSetup.chatIds(o);
        int n = o.subscribers();
        long[] chatOf = new long[n];
        for (int i = 0; i < n; i++) {
            chatOf[i] = chats.get(i % chats.size());
        }
        DeliveryLog deliveries = new DeliveryLog(chatOf);
        List<String> callers = LiveEventsSetup.subscriberTokens(cache, n);
        int perCaller = LiveEventsSetup.perCaller(n, callers.size());
        EventPosts posts = new EventPosts(address, writer, chats, o.eventPostsPerSecond(), deliveries);
        HeapProbe.Sample closed = HeapProbe.sample();
        log.println("bench: live events: before opening the streams: " + closed);
        try (SseSubscribers streams = new SseSubscribers(address, deliveries)) {
            long t0 = System.nanoTime();
            LiveEventsSetup.open(streams, callers, perCaller, n, log);
            double openSeconds = (System.nanoTime() - t0) / 1e9;
            HeapProbe.Sample open = HeapProbe.sample();
            log.printf(Locale.ROOT, "bench: live events: %d streams over %d chats open in %.1f s (%d callers); %s%n", n,
                    chats.size(), openSeconds, callers.size(), open);
            for (int c : o.clients()) {
                List<Pending> pending = new ArrayList<>();
                for (BenchResult.Size size : sizes) {
                    Workload latest = size.workloads().get(0);
                    long chatId = o.chatIdOf(size.messages());
                    pending.add(Pending.withPosts(size.messages(), BenchResult.LATEST_STREAMS_OPEN, Route.REDIS.label(), c,
                            http.clients(chatId, reader, latest, Route.REDIS), null));
                    pending.add(Pending.withPosts(size.messages(), BenchResult.UNDER_EVENTS, Route.REDIS.label(), c,
                            http.clients(chatId, reader, latest, Route.REDIS), posts));
                }
                measure(cache, pending, o, "live events, " + c + " clients", log);
                for (Pending p : pending) {
                    rows.add(row(p, log));
                }
            }
            // every post was answered; its deliveries may still be on their way
            long drainFrom = System.nanoTime();
            DeliveryLog.Tally tally = deliveries.tally();
            while (tally.missing() > 0 && System.nanoTime() - drainFrom < DELIVERY_DEADLINE.toNanos()) {
                Thread.sleep(100);
                tally = deliveries.tally();
            }
            BenchResult.Events e = new BenchResult.Events(n, chats.size(), o.eventPostsPerSecond(), callers.size(),
                    openSeconds, posts.result(), tally.posts(), tally.delivered(), tally.missing(), tally.duplicates(),
                    tally.unexpected(), tally.firstMissing(), tally.p50Millis(), tally.p99Millis(), tally.maxMillis(),
                    closed, open, streams.ended(), streams.otherEvents(), streams.pings(), streams.firstProblem());
            log.println("bench: live events: " + e.summary());
            return e;
        }
    }

    /** How long, after the last post, the deliveries still missing may take before they count as missing. */
    static final Duration DELIVERY_DEADLINE = Duration.ofSeconds(10);

    /** The printed summary of the rows under writes: p99 against the idle latest row's, and the route ratio. */
    private static void summarizeUnderWrites(BenchResult r, PrintStream log) {
        for (BenchResult.Size s : r.sizes()) {
            for (int c : r.options().clients()) {
                List<String> parts = new ArrayList<>();
                for (String path : List.of(BenchResult.REDIS, BenchResult.MYSQL)) {
                    Optional<BenchResult.Row> under = r.row(s.messages(), BenchResult.UNDER_WRITES, path, c);
                    Optional<BenchResult.Row> idle = r.row(s.messages(), "latest", path, c);
                    if (under.isPresent() && idle.isPresent()) {
                        parts.add(String.format(Locale.ROOT, "%s p99 %.2f ms (idle %.2f, x%.2f), %.0f req/s, %.0f posts/s",
                                path, under.get().p99Millis(), idle.get().p99Millis(),
                                r.underWritesP99Ratio(s.messages(), path, c), under.get().requestsPerSecond(),
                                under.get().writers().postsPerSecond()));
                    }
                }
                if (!parts.isEmpty()) {
                    log.printf(Locale.ROOT, "bench: summary: N=%,d, %d clients, latest under %d writers: %s; redis/mysql"
                                    + " req/s %.2f (idle %.2f)%n", s.messages(), c, r.options().writers(),
                            String.join("; ", parts), r.routeThroughputRatio(s.messages(), BenchResult.UNDER_WRITES, c),
                            r.routeThroughputRatio(s.messages(), "latest", c));
                }
            }
        }
    }

    /** Whether Redis holds the workload's anchor (and so the page), or the workload has none. */
    private static boolean redisHolds(ChatCache cache, long chatId, Workload w) {
        if (w.anchor() == null) {
            return true;
        }
        try {
            return cache.redisMessages().boundary(chatId).map(b -> w.anchor().compareTo(b) >= 0).orElse(true);
        } catch (RuntimeException e) {
            return false; // Redis does not hold the chat now
        }
    }

    /**
     * Every read row of one client count: each workload of each size on both routes and, with
     * baselines, on the raw engines (the naive FT.SEARCH only if {@code naive}, and above
     * --naive-up-to with one client).
     */
    private static List<Pending> readRows(List<BenchResult.Size> sizes, int c, boolean naive, HttpLoad http,
                                          Map<Route, String> tokens, ChatCache cache, HikariDataSource rawMysql,
                                          BenchOptions o) {
        List<Pending> rows = new ArrayList<>();
        for (BenchResult.Size size : sizes) {
            int n = size.messages();
            long chatId = o.chatIdOf(n);
            for (Workload w : size.workloads()) {
                for (Route route : Route.values()) {
                    rows.add(new Pending(n, w.name(), route.label(), c, http.clients(chatId, token(tokens, w, route), w, route),
                            route == Route.REDIS ? new LinkedHashMap<>() : null));
                }
                if (o.baselines() && w.rawBaseline()) {
                    // why: below a window only MySQL holds the page, so the raw Redis plans would
                    // answer nothing (and count every answer an error)
                    boolean held = redisHolds(cache, chatId, w);
                    if (held) {
                        rows.add(new Pending(n, w.name(), BenchResult.RAW_REDIS, c,
                                RawBaseline.redis(RawBaseline.Kind.REDIS_PLAN, cache.redisPool(), chatId, w, o.limit()), null));
                    }
                    if (held && naive && (n <= o.naiveUpTo() || c == o.clients().get(0))) {
                        rows.add(new Pending(n, w.name(), BenchResult.RAW_NAIVE, n > o.naiveUpTo() ? 1 : c,
                                RawBaseline.redis(RawBaseline.Kind.REDIS_NAIVE, cache.redisPool(), chatId, w, o.limit()),
                                null));
                    }
                    rows.add(new Pending(n, w.name(), BenchResult.RAW_MYSQL, c,
                            RawBaseline.mysql(rawMysql, chatId, w, o.limit()), null));
                }
            }
        }
        return rows;
    }

    /**
     * Issue #11's rows, Redis route only: the latest page read by a member of the chat, each size;
     * and GET /me/unread of a member of {@code unreadChats} chats, listed under the largest size.
     */
    private static List<Pending> memberRows(List<BenchResult.Size> sizes, int c, HttpLoad http, String member,
                                            String unreader, int unreadChats, BenchOptions o) {
        List<Pending> rows = new ArrayList<>();
        for (BenchResult.Size size : sizes) {
            rows.add(new Pending(size.messages(), BenchResult.LATEST_MEMBER, Route.REDIS.label(), c,
                    http.clients(o.chatIdOf(size.messages()), member, Workload.latest(o.limit()), Route.REDIS),
                    new LinkedHashMap<>()));
        }
        rows.add(new Pending(o.largestSize(), BenchResult.UNREAD, Route.REDIS.label(), c,
                http.unreadClients(unreader, unreadChats), new LinkedHashMap<>()));
        return rows;
    }

    /** Limits no bench client reaches: every request is counted, none refused. */
    private static final RateLimits NEVER_REACHED = new RateLimits(1_000_000_000, 1_000_000_000, 60_000);

    /**
     * Issue #12's rows: the latest page on the Redis route (USER token, as the `latest` row) through an app
     * that counts each request against the caller's rate limit, and through a second app without a
     * limiter, each size; the p99 of the first against the second's.
     */
    private static List<Pending> rateLimitedRows(List<BenchResult.Size> sizes, int c, HttpLoad limitedHttp,
                                                 HttpLoad controlHttp, Map<Route, String> tokens, BenchOptions o) {
        List<Pending> rows = new ArrayList<>();
        for (BenchResult.Size size : sizes) {
            Workload latest = size.workloads().get(0);
            String token = token(tokens, latest, Route.REDIS);
            rows.add(new Pending(size.messages(), BenchResult.RATE_LIMITED, Route.REDIS.label(), c,
                    limitedHttp.clients(o.chatIdOf(size.messages()), token, latest, Route.REDIS), new LinkedHashMap<>()));
            rows.add(new Pending(size.messages(), BenchResult.SECOND_APP, Route.REDIS.label(), c,
                    controlHttp.clients(o.chatIdOf(size.messages()), token, latest, Route.REDIS), new LinkedHashMap<>()));
        }
        return rows;
    }

    /** Posts into the write chat by c clients. */
    private static Pending writeRow(int c, HttpLoad http, String writer, BenchOptions o) {
        Workload w = Workload.posting();
        return new Pending(0, w.name(), BenchResult.WRITE, c, http.clients(o.writeChatId(), writer, w, Route.REDIS),
                new LinkedHashMap<>());
    }

    /**
     * The latest row of every size on both routes with c clients, each window measured while
     * {@code --writers} clients post into the write chat. No MySQL statement counts: the writers'
     * statements would be in them.
     */
    private static List<Pending> underWritesRows(List<BenchResult.Size> sizes, int c, HttpLoad http,
                                                 Map<Route, String> tokens, String writer, BenchOptions o) {
        Workload posting = Workload.posting();
        List<Pending> rows = new ArrayList<>();
        for (BenchResult.Size size : sizes) {
            Workload latest = size.workloads().get(0);
            for (Route route : Route.values()) {
                rows.add(new Pending(size.messages(), BenchResult.UNDER_WRITES, route.label(), c,
                        http.clients(o.chatIdOf(size.messages()), token(tokens, latest, route), latest, route),
                        new ArrayList<>(), null, http.clients(o.writeChatId(), writer, posting, Route.REDIS), o.writers(),
                        new ArrayList<>(), null));
            }
        }
        return rows;
    }

    /** Posts per second into the hot page's chat while it is read (issue #24's "hot page" row). */
    static final int HOT_PAGE_POSTS_PER_SECOND = 10;

    /**
     * Issue #24's "hot page": every client reads the newest page of one busy public chat (the
     * write chat) while {@value #HOT_PAGE_POSTS_PER_SECOND} posts a second arrive in it, anonymously
     * on the Redis route (pages kept in memory serve it between posts) and as the API client on the
     * MySQL route. Listed under the largest size; the chat is the write chat whatever its size.
     */
    private static List<Pending> hotPageRows(List<BenchResult.Size> sizes, int c, HttpLoad http, InetSocketAddress app,
                                             Map<Route, String> tokens, String writer, BenchOptions o) {
        Workload hot = new Workload(BenchResult.HOT_PAGE, "the newest " + o.limit() + " messages of the write chat, read"
                + " anonymously on the Redis route while " + HOT_PAGE_POSTS_PER_SECOND + " posts/s arrive in it",
                "{\"limit\":" + o.limit() + "}", o.limit(), 0, null, 0, 0, false, false, true);
        int size = sizes.get(sizes.size() - 1).messages();
        List<Pending> rows = new ArrayList<>();
        for (Route route : Route.values()) {
            EventPosts posts = new EventPosts(app, writer, List.of(o.writeChatId()), HOT_PAGE_POSTS_PER_SECOND,
                    new DeliveryLog(new long[0]));
            rows.add(new Pending(size, BenchResult.HOT_PAGE, route.label(), c,
                    http.clients(o.writeChatId(), token(tokens, hot, route), hot, route), new ArrayList<>(), null,
                    null, 0, null, posts));
        }
        return rows;
    }

    /** Warm-up passes end when the JIT compiled for less than this share of a pass's time. */
    private static final double JIT_QUIET_SHARE = 0.03;

    /**
     * Unmeasured passes over every read row (and the write row) until the JIT is quiet. why: measured here, the app's
     * throughput kept rising for ~40 s of load while C2 compiled Jetty, Jackson and Jedis paths on
     * the two cores the load shares (BENCHMARKS.md run F); rows measured before that measure the
     * compiler, and the app, with more code to compile, more than the raw baselines.
     */
    private static String warmUp(List<Pending> rows, BenchOptions o, PrintStream log) throws InterruptedException {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean measurable = jit != null && jit.isCompilationTimeMonitoringSupported();
        List<String> shares = new ArrayList<>();
        for (int pass = 1; pass <= o.warmupPasses(); pass++) {
            long jitBefore = measurable ? jit.getTotalCompilationTime() : 0;
            long t0 = System.nanoTime();
            for (Pending p : rows) {
                ClosedLoop.run(p.factory(), p.clients(), Duration.ZERO, Duration.ofMillis(o.warmupMillis()));
            }
            long wallMillis = (System.nanoTime() - t0) / 1_000_000;
            if (!measurable) {
                log.printf("bench: warm-up: %d rows for %d ms each, not measured (this JVM does not time its JIT)%n",
                        rows.size(), o.warmupMillis());
                return "1 pass (this JVM does not time its JIT)";
            }
            long jitMillis = jit.getTotalCompilationTime() - jitBefore;
            double share = 100.0 * jitMillis / Math.max(1, wallMillis);
            shares.add(String.format(Locale.ROOT, "%.1f %%", share));
            log.printf(Locale.ROOT, "bench: warm-up pass %d: %d rows for %d ms each, not measured; the JIT compiled for %d ms"
                    + " of %d ms (%.1f %%)%n", pass, rows.size(), o.warmupMillis(), jitMillis, wallMillis, share);
            if (jitMillis < JIT_QUIET_SHARE * wallMillis) {
                return pass + " pass(es); JIT compile time per pass: " + String.join(", ", shares);
            }
        }
        log.printf("bench: warm-up: the JIT was still compiling after %d passes; measuring anyway%n", o.warmupPasses());
        return o.warmupPasses() + " pass(es), the JIT still compiling; JIT compile time per pass: " + String.join(", ", shares);
    }

    /** MySQL statements per second while nothing but the relays runs. */
    private static Map<String, Double> idleRate(ChatCache cache, int millis) throws Exception {
        Map<String, Long> before = Probes.mysqlCounters(cache);
        long t0 = System.nanoTime();
        Thread.sleep(millis);
        Map<String, Long> d = Probes.minus(Probes.mysqlCounters(cache), before);
        double s = (System.nanoTime() - t0) / 1e9;
        Map<String, Double> out = new LinkedHashMap<>();
        d.forEach((k, v) -> out.put(k, Math.round(v / s * 10) / 10.0));
        return out;
    }

    /** Rounds: every pending row for one window in turn, so that drift spreads over every row alike. */
    private static void measure(ChatCache cache, List<Pending> pending, BenchOptions o, String what, PrintStream log)
            throws Exception {
        for (int round = 1; round <= o.rounds(); round++) {
            log.printf("bench: %s: round %d of %d: %d rows for %d ms each%n", what, round, o.rounds(), pending.size(),
                    o.roundMillis());
            for (Pending p : pending) {
                Map<String, Long> before = p.statements() != null ? Probes.mysqlCounters(cache) : null;
                ClosedLoop.Background writers = null;
                if (p.writers() != null) {
                    writers = ClosedLoop.start(p.writers(), p.writerClients(), WRITERS_RAMP);
                    Thread.sleep(WRITERS_RAMP.toMillis());
                }
                if (p.posts() != null) {
                    p.posts().start();
                    Thread.sleep(WRITERS_RAMP.toMillis());
                }
                p.windows().add(ClosedLoop.run(p.factory(), p.clients(), Duration.ZERO, Duration.ofMillis(o.roundMillis())));
                if (writers != null) {
                    p.writerWindows().add(writers.stop());
                }
                if (p.posts() != null) {
                    p.posts().stop();
                }
                if (before != null) {
                    Map<String, Long> d = Probes.minus(Probes.mysqlCounters(cache), before);
                    Map<String, Long> sum = Probes.plus(p.statements(), d);
                    p.statements().clear();
                    p.statements().putAll(sum);
                }
            }
        }
    }

    private static BenchResult.Row row(Pending p, PrintStream log) {
        BenchResult.Row r = BenchResult.Row.of(p.size(), p.workload(), p.path(), p.clients(),
                ClosedLoop.Run.merge(p.windows()), p.statements(),
                p.writerWindows() == null ? null : ClosedLoop.Run.merge(p.writerWindows()), p.writerClients());
        log.printf(Locale.ROOT, "bench: N=%,d %s on %s, %d clients: %.0f requests/s, p50 %.2f ms, p99 %.2f ms, %d errors%s%s%n",
                r.size(), r.workload(), r.path(), r.clients(), r.requestsPerSecond(), r.p50Millis(), r.p99Millis(),
                r.errors(), r.firstError() == null ? "" : " (first: " + r.firstError() + ")",
                r.writers() == null ? "" : String.format(Locale.ROOT, "; meanwhile %d writers: %.0f posts/s, p99 %.2f ms,"
                        + " %d errors%s", r.writers().clients(), r.writers().postsPerSecond(), r.writers().p99Millis(),
                        r.writers().errors(), r.writers().firstError() == null ? ""
                                : " (first: " + r.writers().firstError() + ")"));
        return r;
    }

    /** The measured bodies and the sampled anchors, each on both routes, compared id by id. */
    private static void compare(HttpLoad http, Map<Route, String> tokens, int n, long chatId, List<Workload> workloads,
                                List<Workload> sampled, boolean after, List<BenchResult.Comparison> out, PrintStream log) {
        List<Workload> bodies = new ArrayList<>(workloads);
        bodies.addAll(sampled);
        int differ = 0;
        for (Workload w : bodies) {
            HttpLoad.Answer redis = http.fetch(chatId, token(tokens, w, Route.REDIS), w);
            HttpLoad.Answer mysql = http.fetch(chatId, token(tokens, w, Route.MYSQL), w);
            String problem = problem(redis, w, Route.REDIS);
            if (problem == null) {
                problem = problem(mysql, w, Route.MYSQL);
            } else {
                problem = "redis: " + problem;
            }
            BenchResult.Comparison c = BenchResult.Comparison.of(n, w.name(), w.body(), redis, mysql, problem, after);
            out.add(c);
            if (!c.agree()) {
                differ++;
                log.printf("bench: N=%,d %s %s: answers DIFFER%s: %d ids, redis %s, mysql %s%s%n", n, w.name(), w.body(),
                        after ? " after measuring" : "", c.mismatches(), c.redisIds(), c.mysqlIds(),
                        problem == null ? "" : ", " + problem);
            }
        }
        log.printf("bench: N=%,d: %d answers compared on both routes%s, %d differ%n", n, bodies.size(),
                after ? " after measuring" : "", differ);
    }

    /** Sampled pages near the chat's start hold fewer than a full page; -1 = any size, but the route must match. */
    private static String problem(HttpLoad.Answer a, Workload w, Route r) {
        if (w.expectedMessages() >= 0) {
            return a.problem(w, r);
        }
        if (a.error() != null) {
            return a.error();
        }
        return r.gives(a.source()) ? null : "answered from " + a.source() + " instead of " + r.source();
    }

    /**
     * Reads the write chat page by page (100 a page) as another USER on the Redis route, so that
     * every message comes back unread and is marked; then waits for the read-mark relay to drain
     * the stream and counts MySQL's UPDATEs beyond the idle rate.
     */
    private static BenchResult.Marks marks(ChatCache cache, HttpLoad http, String reader, long chatId,
                                           Map<String, Double> idle, PrintStream log) throws Exception {
        int limit = SearchCriteria.MAX_LIMIT;
        Map<String, Long> before = Probes.mysqlCounters(cache);
        long t0 = System.nanoTime();
        long marked = 0;
        long pages = 0;
        Long before_ = null;
        for (int i = 0; i < 50; i++) {
            String body = "{\"limit\":" + limit + (before_ == null ? "" : ",\"before\":" + before_) + "}";
            HttpLoad.Answer a = http.fetch(chatId, reader, new Workload("marks", "", body, -1, 0, null, 0, 0, false));
            if (a.error() != null || a.ids().isEmpty()) {
                break;
            }
            pages++;
            marked += a.unread();
            before_ = a.ids().get(a.ids().size() - 1);
            if (!a.hasOlder()) {
                break;
            }
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (Probes.streamLength(cache) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Thread.sleep(300); // why: the relay XDELs after its UPDATE commits; let the last batch's counters land
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Long> d = Probes.minus(Probes.mysqlCounters(cache), before);
        long raw = d.get("Com_update");
        long updates = Math.max(0, Math.round(raw - idle.getOrDefault("Com_update", 0.0) * seconds));
        BenchResult.Marks m = new BenchResult.Marks(pages, marked, updates, raw, seconds, Probes.streamLength(cache));
        log.printf(Locale.ROOT, "bench: read marks: %d pages, %d marked, %d UPDATEs (%d raw) in %.1f s%n", pages, marked,
                updates, raw, seconds);
        return m;
    }
}
