package chatcache.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Every figure of one bench run, for people ({@link #toMarkdown()}) and for tests (the fields). */
public record BenchResult(BenchOptions options, Machine machine, String background, String warmup, List<Size> sizes,
                          List<Row> rows, List<Comparison> comparisons, Probes.MysqlFootprint mysqlFootprint,
                          Map<String, Double> idleStatementsPerSecond, Marks marks, Events events) {

    /** Paths of a read: the app over HTTP on each route, and the raw baselines. */
    public static final String REDIS = "redis";
    public static final String MYSQL = "mysql";
    public static final String RAW_REDIS = RawBaseline.Kind.REDIS_PLAN.label;
    public static final String RAW_NAIVE = RawBaseline.Kind.REDIS_NAIVE.label;
    public static final String RAW_MYSQL = RawBaseline.Kind.MYSQL.label;
    /** The write workload's path: the app over HTTP, USER token, both stores. */
    public static final String WRITE = "app-write";
    /** The newest page (the latest row's body) measured while writers post into the write chat. */
    public static final String UNDER_WRITES = "latest under writes";
    /** Issue #24's row: the newest page of one busy chat, read anonymously while posts arrive. */
    public static final String HOT_PAGE = "hot page";
    /** The latest page read by a member of the chat (access check, readByMe) on the Redis route. */
    public static final String LATEST_MEMBER = "latest member";
    /** GET /me/unread of a member of many chats, on the Redis route. */
    public static final String UNREAD = "me/unread";
    /** The latest row through an app that counts every request against its caller's rate limit (issue #12). */
    public static final String RATE_LIMITED = "latest (rate limited)";
    public static final String SECOND_APP = "latest (second app)";
    /** The latest row again, Redis route, with the live-events subscribers' streams open and no posts (issue #13). */
    public static final String LATEST_STREAMS_OPEN = "latest (streams open)";
    /** The same while posts stream to the subscribers. */
    public static final String UNDER_EVENTS = "latest (under events)";

    /**
     * Issue #13's live events: {@code subscribers} streams over {@code chats} chats ({@code callers}
     * users, opened in {@code openSeconds}); the posters at {@code targetPostsPerSecond} and what
     * they did; every (post, subscriber of its chat) pair: {@code delivered} with its latency
     * post → event, {@code missing}, {@code duplicates}, {@code unexpected}; this JVM's memory
     * before the streams opened and with them open; streams that ended, other events than
     * message.created, heartbeats seen.
     */
    public record Events(int subscribers, int chats, int targetPostsPerSecond, int callers, double openSeconds,
                         Writers posters, long posts, long delivered, long missing, long duplicates, long unexpected,
                         String firstMissing, double p50Millis, double p99Millis, double maxMillis,
                         HeapProbe.Sample closed, HeapProbe.Sample open, long streamsEnded, long otherEvents, long pings,
                         String firstProblem) {

        /** Deliveries that went wrong, streams that ended, events that should not have come, failed posts. */
        public long failures() {
            return missing + duplicates + unexpected + streamsEnded + otherEvents + posters.errors();
        }

        /** Heap after GC with the streams open, less before, per stream (the bench's own client side included). */
        public double heapBytesPerStream() {
            return (double) (open.heapBytes() - closed.heapBytes()) / subscribers;
        }

        public double directBytesPerStream() {
            return (double) (open.directBytes() - closed.directBytes()) / subscribers;
        }

        String summary() {
            return f("%d streams over %d chats; %d posts (%.0f/s, %d errors); %d deliveries, %d missing, %d duplicated,"
                            + " %d unexpected; latency p50 %.2f ms, p99 %.2f ms, max %.1f ms; heap %.0f B/stream, direct"
                            + " buffers %.0f B/stream; %d streams ended, %d other events%s", subscribers, chats, posts,
                    posters.postsPerSecond(), posters.errors(), delivered, missing, duplicates, unexpected, p50Millis,
                    p99Millis, maxMillis, heapBytesPerStream(), directBytesPerStream(), streamsEnded, otherEvents,
                    failures() > 0 ? "; FAILED: " + (firstMissing != null ? firstMissing : firstProblem) : "");
        }
    }

    /** One chat size: how it was loaded, what was asked of it, what it costs Redis. */
    public record Size(int messages, ChatLoad load, List<Workload> workloads, Probes.RedisFootprint redis) {
    }

    /**
     * One workload on one path with one client count, latencies in milliseconds; for the Redis
     * route, MySQL's statement counters over its windows ({@code mysqlStatements}, else empty);
     * for a row under writes, what the writers did meanwhile ({@code writers}, else null).
     */
    public record Row(int size, String workload, String path, int clients, long requests, double seconds,
                      double requestsPerSecond, double p50Millis, double p99Millis, double maxMillis, long errors,
                      String firstError, Map<String, Long> mysqlStatements, Writers writers) {

        static Row of(int size, String workload, String path, int clients, ClosedLoop.Run run,
                      Map<String, Long> statements, ClosedLoop.Run writers, int writerClients) {
            long[] ns = run.sortedNanos();
            return new Row(size, workload, path, clients, run.requests(), run.seconds(), run.requests() / run.seconds(),
                    percentile(ns, 0.50), percentile(ns, 0.99), ns.length == 0 ? Double.NaN : ns[ns.length - 1] / 1e6,
                    run.errors(), run.firstError(), statements == null ? Map.of() : statements,
                    writers == null ? null : Writers.of(writerClients, writers));
        }

        /** Nearest rank: the smallest latency that at least q of all requests did not exceed. */
        static double percentile(long[] sortedNanos, double q) {
            if (sortedNanos.length == 0) {
                return Double.NaN;
            }
            int rank = (int) Math.ceil(q * sortedNanos.length);
            return sortedNanos[Math.max(0, rank - 1)] / 1e6;
        }

        /** MySQL statements (Com_select + Com_update + Com_insert) per request, less the idle background rate. */
        public double statementsPerRequest(Map<String, Double> idlePerSecond) {
            if (mysqlStatements.isEmpty() || requests == 0) {
                return Double.NaN;
            }
            double s = 0;
            for (String k : List.of("Com_select", "Com_update", "Com_insert")) {
                s += mysqlStatements.getOrDefault(k, 0L) - idlePerSecond.getOrDefault(k, 0.0) * seconds;
            }
            return Math.max(0, s) / requests;
        }
    }

    /** Clients posting while a row was measured: 201s per second (errors excluded), p99 of a post. */
    public record Writers(int clients, long requests, long errors, double seconds, double postsPerSecond,
                          double p99Millis, String firstError) {
        static Writers of(int clients, ClosedLoop.Run run) {
            return new Writers(clients, run.requests(), run.errors(), run.seconds(),
                    (run.requests() - run.errors()) / run.seconds(), Row.percentile(run.sortedNanos(), 0.99),
                    run.firstError());
        }
    }

    /**
     * One answer of the Redis route against one of the MySQL route for the same body: positions
     * whose ids differ (a missing or extra message counts as one), and whether hasOlder/hasNewer
     * differ; asked before measuring, or again after ({@code afterMeasuring}).
     */
    public record Comparison(int size, String workload, String body, List<Long> redisIds, List<Long> mysqlIds,
                             int mismatches, boolean flagsDiffer, String problem, boolean afterMeasuring) {
        static Comparison of(int size, String workload, String body, HttpLoad.Answer redis, HttpLoad.Answer mysql,
                             String problem, boolean afterMeasuring) {
            int n = Math.max(redis.ids().size(), mysql.ids().size());
            int mismatches = 0;
            for (int i = 0; i < n; i++) {
                Long a = i < redis.ids().size() ? redis.ids().get(i) : null;
                Long b = i < mysql.ids().size() ? mysql.ids().get(i) : null;
                if (a == null || !a.equals(b)) {
                    mismatches++;
                }
            }
            boolean flags = redis.hasOlder() != mysql.hasOlder() || redis.hasNewer() != mysql.hasNewer();
            return new Comparison(size, workload, body, redis.ids(), mysql.ids(), mismatches, flags, problem, afterMeasuring);
        }

        public boolean agree() {
            return mismatches == 0 && !flagsDiffer && problem == null;
        }
    }

    /**
     * Read marks on the Redis route: {@code marked} messages came back unread in {@code pages} pages
     * and were marked; MySQL ran {@code updates} UPDATEs more than at idle until the relay had them all.
     */
    public record Marks(long pages, long marked, long updates, long rawUpdates, double seconds, long streamLeft) {
        public double marksPerUpdate() {
            return updates == 0 ? Double.POSITIVE_INFINITY : (double) marked / updates;
        }
    }

    public Optional<Row> row(int size, String workload, String path, int clients) {
        return rows.stream().filter(r -> r.size() == size && r.workload().equals(workload) && r.path().equals(path)
                && r.clients() == clients).findFirst();
    }

    /**
     * Errors of every row that must not fail, and of the writers under them (the naive baseline
     * may time out at large N; it is reported, not fatal).
     */
    public long totalErrors() {
        return rows.stream().filter(r -> !r.path().equals(RAW_NAIVE))
                .mapToLong(r -> r.errors() + (r.writers() == null ? 0 : r.writers().errors())).sum()
                + (events == null ? 0 : events.failures());
    }

    public long totalMismatches() {
        return comparisons.stream().filter(c -> !c.agree()).mapToLong(c -> Math.max(1, c.mismatches())).sum();
    }

    private static double div(Optional<Row> a, Optional<Row> b, boolean throughput) {
        if (a.isEmpty() || b.isEmpty()) {
            return Double.NaN;
        }
        return throughput ? a.get().requestsPerSecond() / b.get().requestsPerSecond()
                : a.get().p99Millis() / b.get().p99Millis();
    }

    /** requests/s of the Redis route over the MySQL route. */
    public double routeThroughputRatio(int size, String workload, int clients) {
        return div(row(size, workload, REDIS, clients), row(size, workload, MYSQL, clients), true);
    }

    /** requests/s of the app's route over its raw baseline (redis → raw-redis, mysql → raw-mysql). */
    public double appOverRaw(int size, String workload, String route, int clients) {
        return div(row(size, workload, route, clients), row(size, workload, route.equals(REDIS) ? RAW_REDIS : RAW_MYSQL,
                clients), true);
    }

    /** p99 at the largest size over p99 at the smallest, on one path. */
    public double sizeRatio(String workload, String path, int clients) {
        return div(row(options.largestSize(), workload, path, clients), row(options.smallestSize(), workload, path, clients),
                false);
    }

    /** A ratio, or a dash where a row has no counterpart (the filter rows have no raw baseline). */
    private static String ratioText(double ratio) {
        return Double.isFinite(ratio) ? String.format(java.util.Locale.ROOT, "%.2f", ratio) : "–";
    }

    /** Whether the raw baselines mirror this workload (the filter rows of issue #10 have none). */
    public boolean hasRawBaseline(String workload) {
        return sizes.stream().flatMap(s -> s.workloads().stream())
                .filter(w -> w.name().equals(workload)).allMatch(Workload::rawBaseline);
    }

    /** The read workloads of every size, in the order measured (the row under writes is apart: {@link #UNDER_WRITES}). */
    public List<String> readWorkloads() {
        return sizes.stream().flatMap(s -> s.workloads().stream()).map(Workload::name).distinct().toList();
    }

    /** p99 of the newest page under writes over its p99 without them, same route, size and clients. */
    public double underWritesP99Ratio(int size, String path, int clients) {
        return div(row(size, UNDER_WRITES, path, clients), row(size, "latest", path, clients), false);
    }

    public List<String> readPaths() {
        return options.baselines() ? List.of(REDIS, MYSQL, RAW_REDIS, RAW_NAIVE, RAW_MYSQL) : List.of(REDIS, MYSQL);
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    /** The run as markdown (what the bench prints and --out writes), section by section. */
    public String toMarkdown() {
        List<String> out = new ArrayList<>();
        introSection(out);
        readSections(out);
        ratiosSection(out);
        if (rows.stream().anyMatch(r -> r.workload().equals(UNDER_WRITES))) {
            underWritesSection(out);
        }
        if (rows.stream().anyMatch(r -> r.workload().equals(LATEST_MEMBER) || r.workload().equals(UNREAD))) {
            membersSection(out);
        }
        if (rows.stream().anyMatch(r -> r.workload().equals(RATE_LIMITED))) {
            rateLimitsSection(out);
        }
        if (options.writes()) {
            writesSection(out);
        }
        if (events != null) {
            eventsSection(out);
        }
        memorySection(out);
        neverPartialSection(out);
        firstErrorsSection(out);
        return String.join("\n", out) + "\n";
    }

    /** The title, the machine, the background chats, the measured chats and their workloads, the paths and how rows are run. */
    private void introSection(List<String> out) {
        BenchOptions o = options;
        out.add(f("## chatcache bench on RediSearch %s: chats of %s messages; pages of %d; %s clients; %d round(s) of %d ms"
                        + " per row", machine.redisearch(),
                String.join(", ", o.sizes().stream().map(n -> f("%,d", n)).toList()), o.limit(),
                String.join(", ", o.clients().stream().map(String::valueOf).toList()), o.rounds(), o.roundMillis()));
        out.add("");
        out.add("Machine: " + machine.line() + ". Clients, the app (in-process, Javalin over HTTP on 127.0.0.1)"
                + " and both servers share these CPUs.");
        out.add("");
        out.add("Background: " + background + ".");
        out.add("");
        out.add(f("Chats (id %d + N): the API user of the `mysql` path wrote %d %% of the older half and %d %% of the"
                        + " newer half, 20 bench authors the rest; its messages were loaded unread, all others read."
                        + " A fetch marks what others wrote: the `mysql` path never marks its own, the `redis` path"
                        + " (a USER) marked those on the pages its rows read before measuring, and it reads the unread"
                        + " rows anonymously (no marks), so every row finds the same data every time. Marker words:"
                        + " \"%s\" in 1 %% of the messages, \"%s\" in 0.01 %%, by sequence number.",
                o.chatIdOf(0), BenchChat.OLDER_UNREAD_PER_MILLE / 10, BenchChat.NEWER_UNREAD_PER_MILLE / 10,
                ChatText.COMMON_MARKER, ChatText.RARE_MARKER));
        out.add("");
        for (Size s : sizes) {
            out.add(f("- N = %,d: %s", s.messages(), s.load().describe()));
            for (Workload w : s.workloads()) {
                out.add("  - `" + w.name() + "`: " + w.description() + ", body `" + w.body() + "`");
            }
        }
        out.add("");
        out.add(f("Paths: `redis` = the app over HTTP, USER token (none for the unread rows and the sampled answers);"
                        + " `mysql` = the app over HTTP, API token (the chats' API user); `%s` = %s;"
                        + " `%s` = %s; `%s` = %s (own pool of as many connections as clients). Closed loop: each client"
                        + " sends its next request when the last one is answered. Warm-up (not measured): passes in which"
                        + " every read row (and the write row) runs %d ms with the most clients, until the JIT compiles for less than 3 %% of a"
                        + " pass: %s. Then %d round(s) in which every row runs %d ms in turn."
                        + " `MySQL stmts/read` (Redis route only) = Com_select + Com_update + Com_insert during its"
                        + " windows, less the idle rate measured before (%s), per request.",
                RAW_REDIS, RawBaseline.Kind.REDIS_PLAN.description, RAW_NAIVE, RawBaseline.Kind.REDIS_NAIVE.description,
                RAW_MYSQL, RawBaseline.Kind.MYSQL.description, o.warmupMillis(), warmup, o.rounds(), o.roundMillis(),
                idleText()));
    }

    /** One table per read workload and chat size: every path at every client count. */
    private void readSections(List<String> out) {
        BenchOptions o = options;
        for (Size s : sizes) {
            for (String w : readWorkloads()) {
                out.add("");
                out.add(f("### %s, N = %,d", w, s.messages()));
                out.add("");
                out.add("| clients | path | requests | requests/s | p50 ms | p99 ms | max ms | errors | MySQL stmts/read |");
                out.add("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
                for (int c : o.clients()) {
                    for (String path : readPaths()) {
                        rows.stream().filter(r -> r.size() == s.messages() && r.workload().equals(w)
                                && r.path().equals(path) && r.clients() == c).findFirst().ifPresent(r -> out.add(f(
                                "| %d | %s | %d | %.0f | %.2f | %.2f | %.1f | %d | %s |", r.clients(), r.path(),
                                r.requests(), r.requestsPerSecond(), r.p50Millis(), r.p99Millis(), r.maxMillis(),
                                r.errors(), r.mysqlStatements().isEmpty() ? "" : f("%.3f (%s)",
                                        r.statementsPerRequest(idleStatementsPerSecond), counters(r.mysqlStatements())))));
                    }
                }
                for (Row r : rows) {
                    if (r.size() == s.messages() && r.workload().equals(w) && !o.clients().contains(r.clients())) {
                        out.add(f("| %d | %s | %d | %.0f | %.2f | %.2f | %.1f | %d | |", r.clients(), r.path(),
                                r.requests(), r.requestsPerSecond(), r.p50Millis(), r.p99Millis(), r.maxMillis(), r.errors()));
                    }
                }
            }
        }
        if (sizes.stream().anyMatch(s -> s.messages() > o.naiveUpTo()) && o.baselines()) {
            out.add("");
            out.add(f("Above N = %,d the naive baseline runs with 1 client only: each of its queries collects the whole"
                    + " chat and would hold Redis (single-threaded) for every other row.", o.naiveUpTo()));
        }
    }

    /** Redis over MySQL and app over raw engine throughput; p99 of the largest chat over the smallest's. */
    private void ratiosSection(List<String> out) {
        BenchOptions o = options;
        out.add("");
        out.add("### Ratios");
        out.add("");
        out.add("| ratio | clients | " + String.join(" | ", sizes.stream().map(s -> f("N = %,d", s.messages())).toList()) + " |");
        out.add("| --- | ---: |" + " ---: |".repeat(sizes.size()));
        for (String w : readWorkloads()) {
            for (int c : o.clients()) {
                out.add(f("| %s: redis / mysql requests/s | %d | %s |", w, c, String.join(" | ",
                        sizes.stream().map(s -> f("%.2f", routeThroughputRatio(s.messages(), w, c))).toList())));
                if (o.baselines() && hasRawBaseline(w)) {
                    for (String route : List.of(REDIS, MYSQL)) {
                        out.add(f("| %s: %s / %s requests/s | %d | %s |", w, route, route.equals(REDIS) ? RAW_REDIS : RAW_MYSQL,
                                c, String.join(" | ", sizes.stream().map(s -> f("%.2f", appOverRaw(s.messages(), w, route, c))).toList())));
                    }
                }
            }
        }
        out.add("");
        if (o.sizes().size() > 1) {
            out.add(f("| p99 at N = %,d / p99 at N = %,d | clients | %s |", o.largestSize(), o.smallestSize(),
                    String.join(" | ", readPaths())));
            out.add("| --- | ---: |" + " ---: |".repeat(readPaths().size()));
            for (String w : readWorkloads()) {
                for (int c : o.clients()) {
                    out.add(f("| %s | %d | %s |", w, c, String.join(" | ",
                            readPaths().stream().map(p -> ratioText(sizeRatio(w, p, c))).toList())));
                }
            }
            out.add("");
        }
    }

    /** The newest page while the write row's clients post, against the idle newest page. */
    private void underWritesSection(List<String> out) {
        BenchOptions o = options;
        out.add(f("### Newest page under writes (%d clients posting into chat %d meanwhile)", o.writers(),
                o.writeChatId()));
        out.add("");
        out.add("The `latest` row's body again, on both routes, while the write row's clients post (started before"
                + " and stopped after each window); its p99 against the idle `latest` row's, same clients.");
        out.add("");
        out.add("| N | clients | path | requests/s | p50 ms | p99 ms | idle p99 ms | p99 under writes / idle | errors"
                + " | posts/s meanwhile | post p99 ms | post errors |");
        out.add("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (Size s : sizes) {
            for (int c : o.clients()) {
                for (String path : List.of(REDIS, MYSQL)) {
                    row(s.messages(), UNDER_WRITES, path, c).ifPresent(r -> out.add(f(
                            "| %,d | %d | %s | %.0f | %.2f | %.2f | %s | %s | %d | %.0f | %.2f | %d |", r.size(), c, path,
                            r.requestsPerSecond(), r.p50Millis(), r.p99Millis(),
                            row(s.messages(), "latest", path, c).map(i -> f("%.2f", i.p99Millis())).orElse("–"),
                            ratioText(underWritesP99Ratio(s.messages(), path, c)), r.errors(),
                            r.writers().postsPerSecond(), r.writers().p99Millis(), r.writers().errors())));
                }
            }
        }
        out.add("");
        out.add("| N | clients | redis / mysql requests/s under writes | idle (latest) |");
        out.add("| ---: | ---: | ---: | ---: |");
        for (Size s : sizes) {
            for (int c : o.clients()) {
                out.add(f("| %,d | %d | %s | %s |", s.messages(), c,
                        ratioText(routeThroughputRatio(s.messages(), UNDER_WRITES, c)),
                        ratioText(routeThroughputRatio(s.messages(), "latest", c))));
            }
        }
        out.add("");
        if (rows.stream().anyMatch(r -> r.workload().equals(HOT_PAGE))) {
            hotPageTable(out);
        }
    }

    /** Issue #24's hot page: the write chat's newest page while posts arrive, anonymous on the Redis route. */
    private void hotPageTable(List<String> out) {
        out.add(f("`%s` (issue #24): every client reads the write chat's newest page while %d posts/s arrive in it:"
                + " anonymously on the Redis route (pages kept in memory serve it between posts, after a version"
                + " check), as the API client on the MySQL route; listed under the largest size.", HOT_PAGE,
                Bench.HOT_PAGE_POSTS_PER_SECOND));
        out.add("");
        out.add("| N | clients | path | requests/s | p50 ms | p99 ms | errors | redis / mysql requests/s |");
        out.add("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |");
        for (Size s : sizes) {
            for (int c : options.clients()) {
                for (String path : List.of(REDIS, MYSQL)) {
                    row(s.messages(), HOT_PAGE, path, c).ifPresent(r -> out.add(f("| %,d | %d | %s | %.0f | %.2f | %.2f | %d | %s |",
                            r.size(), c, path, r.requestsPerSecond(), r.p50Millis(), r.p99Millis(), r.errors(),
                            path.equals(REDIS) ? ratioText(routeThroughputRatio(s.messages(), HOT_PAGE, c)) : "")));
                }
            }
        }
        out.add("");
    }

    /** Issue #11: the latest page read by a member, and GET /me/unread. */
    private void membersSection(List<String> out) {
        BenchOptions o = options;
        out.add("### Members (issue #11): the latest page read by a member, and GET /me/unread");
        out.add("");
        out.add("`latest member`: the `latest` row's body on the Redis route, read by a member of the chat (whose"
                + " marker is at the newest message: each answer carries `readByMe`, no marker moves); `latest`"
                + " is read by a signed-in non-member. Both check access in Redis. `me/unread`: GET /me/unread of a"
                + " member of every chat below (the measured chats, their markers half-way, and background chats).");
        out.add("");
        out.add("| N | clients | row | requests/s | p50 ms | p99 ms | max ms | errors | p99 / latest p99 | MySQL statements / request |");
        out.add("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        for (Size s : sizes) {
            for (int c : o.clients()) {
                for (String w : List.of(LATEST_MEMBER, UNREAD)) {
                    row(s.messages(), w, REDIS, c).ifPresent(r -> out.add(f(
                            "| %,d | %d | %s | %.0f | %.2f | %.2f | %.1f | %d | %s | %s |", r.size(), c, w,
                            r.requestsPerSecond(), r.p50Millis(), r.p99Millis(), r.maxMillis(), r.errors(),
                            row(s.messages(), "latest", REDIS, c).map(l -> f("%.2f", r.p99Millis() / l.p99Millis())).orElse("–"),
                            r.mysqlStatements().isEmpty() ? "" : f("%.3f (%s)",
                                    r.statementsPerRequest(idleStatementsPerSecond), counters(r.mysqlStatements())))));
                }
            }
        }
        out.add("");
    }

    /** Issue #12: the latest page through the rate limiter, beside a second app without one. */
    private void rateLimitsSection(List<String> out) {
        BenchOptions o = options;
        out.add("### Rate limits (issue #12): the latest page with and without the limiter");
        out.add("");
        out.add("`latest (rate limited)`: the `latest` row's body and token on the Redis route, sent to a second app over"
                + " the same stores whose rate limiter counts every request (limits never reached); `latest (second app)`:"
                + " the same through a third app without a limiter (two apps in one JVM differ by themselves), all"
                + " in the same rounds as `latest`. The limiter's cost is the ratio of the first two.");
        out.add("");
        out.add("| N | clients | requests/s | p50 ms | p99 ms | second app: requests/s | p50 ms | p99 ms | p99 / second app's | p99 / latest's | errors |");
        out.add("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (Size s : sizes) {
            for (int c : o.clients()) {
                Optional<Row> control = row(s.messages(), SECOND_APP, REDIS, c);
                Optional<Row> latest = row(s.messages(), "latest", REDIS, c);
                row(s.messages(), RATE_LIMITED, REDIS, c).ifPresent(r -> out.add(f(
                        "| %,d | %d | %.0f | %.2f | %.2f | %s | %s | %s | %s | %s | %d |", r.size(), c, r.requestsPerSecond(),
                        r.p50Millis(), r.p99Millis(),
                        control.map(l -> f("%.0f", l.requestsPerSecond())).orElse("–"),
                        control.map(l -> f("%.2f", l.p50Millis())).orElse("–"),
                        control.map(l -> f("%.2f", l.p99Millis())).orElse("–"),
                        control.map(l -> f("%.3f", r.p99Millis() / l.p99Millis())).orElse("–"),
                        latest.map(l -> f("%.3f", r.p99Millis() / l.p99Millis())).orElse("–"),
                        r.errors() + control.map(Row::errors).orElse(0L))));
            }
        }
        out.add("");
    }

    /** The write rows, and the read marks on the Redis route. */
    private void writesSection(List<String> out) {
        BenchOptions o = options;
        out.add(f("### Writes (POST /chat/%d/message, USER token, 201 = committed in MySQL with its outbox row and"
                + " written to Redis)", o.writeChatId()));
        out.add("");
        out.add("| clients | requests | 201/s | p50 ms | p99 ms | max ms | errors | MySQL statements / write (select, insert, update, delete; idle rate subtracted) |");
        out.add("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        for (int c : o.clients()) {
            row(0, "write", WRITE, c).ifPresent(r -> out.add(f("| %d | %d | %.0f | %.2f | %.2f | %.1f | %d | %s |",
                    c, r.requests(), (r.requests() - r.errors()) / r.seconds(), r.p50Millis(), r.p99Millis(),
                    r.maxMillis(), r.errors(), String.join(", ", List.of("Com_select", "Com_insert", "Com_update",
                            "Com_delete").stream().map(k -> f("%.2f", Math.max(0, r.mysqlStatements().getOrDefault(k, 0L)
                            - idleStatementsPerSecond.getOrDefault(k, 0.0) * r.seconds()) / Math.max(1, r.requests())))
                            .toList()))));
        }
        out.add("");
        if (marks != null) {
            out.add(f("Read marks on the Redis route: %d pages of the write chat read by another USER, %,d messages"
                            + " came back unread and were marked; MySQL ran %d UPDATEs beyond its idle rate (%d in all)"
                            + " in %.1f s until the read-mark stream was drained (%d entries left): %.0f marks per UPDATE.",
                    marks.pages(), marks.marked(), marks.updates(), marks.rawUpdates(), marks.seconds(),
                    marks.streamLeft(), marks.marksPerUpdate()));
            out.add("");
        }
    }

    /** Redis bytes per message by part, and MySQL's tables. */
    private void memorySection(List<String> out) {
        out.add("### Memory");
        out.add("");
        out.add("| N | avg text chars | hash B/msg (MEMORY USAGE, 200 newest) | order indexes B/msg | index B/msg (FT.INFO sizes / num_docs, valid fields) | sum of parts B/msg | INFO used_memory delta at load / messages loaded |");
        out.add("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (Size s : sizes) {
            Probes.RedisFootprint r = s.redis();
            out.add(f("| %,d | %.0f | %.0f | %.0f | %.0f | %.0f | %s |", s.messages(), r.avgTextChars(),
                    r.hashBytesPerMessage(), r.orderSetBytesPerMessage(), r.indexBytesPerMessage(), r.totalPerMessage(),
                    s.load().inserted() > 0 ? f("%.0f", (double) s.load().redisBytesDelta() / s.load().inserted())
                            : "(reused, not loaded now)"));
        }
        if (!sizes.isEmpty()) {
            Probes.RedisFootprint r = sizes.get(sizes.size() - 1).redis();
            out.add("");
            out.add(f("FT.INFO idx:messages: %,d documents; %s.", r.indexDocs(), String.join(", ",
                    r.indexSizesMb().entrySet().stream().map(e -> e.getKey() + " " + e.getValue() + " MB").toList())));
        }
        out.add(f("MySQL `messages`: %,d rows, data %,d B + indexes %,d B = %.0f B/row; `message_words`: %,d rows,"
                        + " %,d B = %.0f B per message (information_schema after ANALYZE TABLE).", mysqlFootprint.rows(),
                mysqlFootprint.dataBytes(), mysqlFootprint.indexBytes(), mysqlFootprint.perRow(),
                mysqlFootprint.wordRows(), mysqlFootprint.wordBytes(), mysqlFootprint.wordBytesPerMessage()));
        out.add("");
    }

    /** The answers compared on both routes, and every one that differed. */
    private void neverPartialSection(List<String> out) {
        out.add("### Never partial");
        out.add("");
        out.add("Every measured body and the sampled ones, asked on both routes before measuring and again after"
                + " (measured answers are checked for their size and route only).");
        out.add("");
        out.add("| N | workload | answers compared (before + after) | mismatched ids | flags differ | problems |");
        out.add("| ---: | --- | ---: | ---: | ---: | ---: |");
        for (Size s : sizes) {
            for (String w : readWorkloads()) {
                List<Comparison> cs = comparisons.stream().filter(c -> c.size() == s.messages()
                        && (c.workload().equals(w) || c.workload().equals(w + " (sampled)"))).toList();
                out.add(f("| %,d | %s | %d + %d | %d | %d | %d |", s.messages(), w,
                        cs.stream().filter(c -> !c.afterMeasuring()).count(), cs.stream().filter(Comparison::afterMeasuring).count(),
                        cs.stream().mapToInt(Comparison::mismatches).sum(), cs.stream().filter(Comparison::flagsDiffer).count(),
                        cs.stream().filter(c -> c.problem() != null).count()));
            }
        }
        for (Comparison c : comparisons) {
            if (!c.agree()) {
                out.add("");
                out.add(f("DIFFER%s: N = %,d %s body %s: redis %s, mysql %s%s", c.afterMeasuring() ? " (after measuring)" : "",
                        c.size(), c.workload(), c.body(), c.redisIds(), c.mysqlIds(),
                        c.problem() == null ? "" : " (" + c.problem() + ")"));
            }
        }
    }

    /** The first error of every row (and of its writers) that had one. */
    private void firstErrorsSection(List<String> out) {
        for (Row r : rows) {
            if (r.firstError() != null) {
                out.add("");
                out.add(f("First error of %s/%s, N = %,d, %d clients: %s", r.workload(), r.path(), r.size(), r.clients(),
                        r.firstError()));
            }
            if (r.writers() != null && r.writers().firstError() != null) {
                out.add("");
                out.add(f("First error of the writers under %s/%s, N = %,d, %d clients: %s", r.workload(), r.path(),
                        r.size(), r.clients(), r.writers().firstError()));
            }
        }
    }

    /** Issue #13's section: the setup, deliveries, memory per stream, and the latest page with and without posts. */
    private void eventsSection(List<String> out) {
        Events e = events;
        out.add("### Live events (issue #13)");
        out.add("");
        out.add(f("Setup: %,d streams (`GET /chat/{id}/events`, one app, the bench's own non-blocking client: one thread,"
                        + " one NIO selector) over %d public chats (id %d + i), %d signed-in non-member callers (%d streams"
                        + " each at most, the app's per-caller limit), opened in %.1f s, each answered 200 with its"
                        + " `retry:` line before anything was measured. Meanwhile %d threads posted round-robin into those"
                        + " chats at %d posts/s (open loop) during the `%s` windows only: %,d posts in %.1f s (%.0f/s),"
                        + " post p99 %.2f ms, %d errors. Latency = when a subscriber's socket read returned the"
                        + " `message.created` − just before its POST was written (System.nanoTime, same JVM), over every"
                        + " (post, subscriber of its chat) pair; deliveries still missing after the last post got %d s.",
                e.subscribers(), e.chats(), options.subscriberChatId(0), e.callers(),
                (e.subscribers() + e.callers() - 1) / e.callers(), e.openSeconds(), EventPosts.THREADS,
                e.targetPostsPerSecond(), UNDER_EVENTS, e.posters().requests(), e.posters().seconds(),
                e.posters().postsPerSecond(), e.posters().p99Millis(), e.posters().errors(),
                Bench.DELIVERY_DEADLINE.toSeconds()));
        out.add("");
        out.add("| posts | deliveries expected | delivered | missing | duplicated | unexpected | p50 ms | p99 ms | max ms |"
                + " streams ended | other events |");
        out.add("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        out.add(f("| %,d | %,d | %,d | %d | %d | %d | %.2f | %.2f | %.1f | %d | %d |", e.posts(), e.delivered() + e.missing(),
                e.delivered(), e.missing(), e.duplicates(), e.unexpected(), e.p50Millis(), e.p99Millis(), e.maxMillis(),
                e.streamsEnded(), e.otherEvents()));
        if (e.failures() > 0) {
            out.add("");
            out.add("FAILED: " + (e.firstMissing() != null ? e.firstMissing() + "; " : "") + "first problem of a stream: "
                    + e.firstProblem() + (e.posters().firstError() != null ? "; first post error: "
                    + e.posters().firstError() : ""));
        }
        out.add("");
        out.add(f("Memory per stream: heap in use after a full GC (least of %d, MemoryMXBean) with the %,d streams open"
                        + " %,d B, before %,d B: **%.0f B per stream**; the JDK's `direct` buffer pool (BufferPoolMXBean:"
                        + " every direct ByteBuffer, Jetty's pooled ones included) %,d B in %,d buffers, before %,d B in"
                        + " %,d: %.0f B per stream. Both ends are in this JVM: the heap figure includes the bench client's"
                        + " side of each stream (a SocketChannel and its SelectionKey, about 1 KB by the JDK's object layout, not measured"
                        + " apart, and ~150 B of parse state).",
                HeapProbe.TRIES, e.subscribers(), e.open().heapBytes(), e.closed().heapBytes(), e.heapBytesPerStream(),
                e.open().directBytes(), e.open().directBuffers(), e.closed().directBytes(), e.closed().directBuffers(),
                e.directBytesPerStream()));
        out.add("");
        out.add(f("The latest page (Redis route, the `latest` row's body and token) in the same rounds with the streams"
                + " open and idle (`%s`; heartbeats and access checks only) and while the posts stream to them (`%s`);"
                + " `latest` = the row measured earlier, before any stream was opened (other rounds).", LATEST_STREAMS_OPEN,
                UNDER_EVENTS));
        out.add("");
        out.add("| N | clients | row | requests/s | p50 ms | p99 ms | max ms | errors | p99 / streams open | p99 / latest |");
        out.add("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (Size s : sizes) {
            for (int c : options.clients()) {
                Optional<Row> idle = row(s.messages(), LATEST_STREAMS_OPEN, REDIS, c);
                Optional<Row> none = row(s.messages(), "latest", REDIS, c);
                for (String w : List.of("latest", LATEST_STREAMS_OPEN, UNDER_EVENTS)) {
                    row(s.messages(), w, REDIS, c).ifPresent(r -> out.add(f(
                            "| %,d | %d | %s | %.0f | %.2f | %.2f | %.1f | %d | %s | %s |", r.size(), c, w,
                            r.requestsPerSecond(), r.p50Millis(), r.p99Millis(), r.maxMillis(), r.errors(),
                            idle.map(l -> f("%.2f", r.p99Millis() / l.p99Millis())).orElse("–"),
                            none.map(l -> f("%.2f", r.p99Millis() / l.p99Millis())).orElse("–"))));
                }
            }
        }
        out.add("");
    }

    private String idleText() {
        return String.join(", ", idleStatementsPerSecond.entrySet().stream()
                .map(e -> f("%s %.1f/s", e.getKey(), e.getValue())).toList());
    }

    private static String counters(Map<String, Long> m) {
        return f("sel %d, upd %d, ins %d, del %d, q %d", m.getOrDefault("Com_select", 0L), m.getOrDefault("Com_update", 0L),
                m.getOrDefault("Com_insert", 0L), m.getOrDefault("Com_delete", 0L), m.getOrDefault("Questions", 0L));
    }
}
