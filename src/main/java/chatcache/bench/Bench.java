package chatcache.bench;

import chatcache.ChatCache;
import chatcache.web.WebApp;
import io.javalin.Javalin;

import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark's core: makes the bench chat, starts the real app in-process on 127.0.0.1, and
 * measures every workload on every route over HTTP. Returns every figure; prints only progress.
 */
public final class Bench {
    private Bench() {
    }

    /**
     * Runs the bench over {@code cache}'s servers, writing progress to {@code log}. Starts the
     * cache's background relays (as the server does); closing the cache stops them.
     */
    public static BenchResult run(ChatCache cache, BenchOptions o, PrintStream log) throws Exception {
        Machine machine = Machine.describe(cache);
        log.println("bench: machine: " + machine.line());
        ChatLoad load = BenchChat.prepare(cache, o.chatId(), o.messages(), log);
        log.println("bench: " + load.describe());

        long anchorId = BenchChat.anchorAtDepth(cache, o.chatId(), o.depth());
        List<Workload> workloads = List.of(Workload.latest(o.limit()), Workload.deep(o.limit(), o.depth(), anchorId));
        Map<Route, String> tokens = new EnumMap<>(Route.class);
        for (Route route : Route.values()) {
            tokens.put(route, cache.authenticator().issue("bench-reader-" + route.label(), route.role()).token());
        }

        // as `serve` does: read marks relayed to MySQL, the outbox relayed to Redis, the cache guarded
        cache.startRelays();
        Javalin app = WebApp.create(cache.messages(), cache.authenticator(), cache::health).start("127.0.0.1", 0);
        List<BenchResult.Comparison> comparisons = new ArrayList<>();
        List<BenchResult.Row> rows = new ArrayList<>();
        try {
            HttpLoad http = new HttpLoad(URI.create("http://127.0.0.1:" + app.port()));
            log.printf("bench: app on 127.0.0.1:%d; chat %d, anchor %d%n", app.port(), o.chatId(), anchorId);
            for (Workload w : workloads) {
                HttpLoad.Answer redis = http.fetch(o.chatId(), tokens.get(Route.REDIS), w);
                HttpLoad.Answer mysql = http.fetch(o.chatId(), tokens.get(Route.MYSQL), w);
                String problem = redis.problem(w, Route.REDIS);
                if (problem == null) {
                    problem = mysql.problem(w, Route.MYSQL);
                } else {
                    problem = "redis: " + problem;
                }
                BenchResult.Comparison c = BenchResult.Comparison.of(w.name(), redis, mysql, problem);
                comparisons.add(c);
                log.printf("bench: %s: redis and mysql answers %s%n", w.name(),
                        c.agree() ? "agree" : "DIFFER: " + c.mismatches() + " ids, redis " + c.redisIds()
                                + ", mysql " + c.mysqlIds() + (problem == null ? "" : ", " + problem));
            }
            if (o.warmupSeconds() > 0) {
                // why: otherwise the first rows measured pay for the JIT compiling the whole stack
                log.printf("bench: warming up: every workload on every route for %d s, not measured%n", o.warmupSeconds());
                for (Workload w : workloads) {
                    for (Route route : Route.values()) {
                        http.run(o.chatId(), tokens.get(route), w, route, o.clients(), Duration.ZERO,
                                Duration.ofSeconds(o.warmupSeconds()));
                    }
                }
            }
            // why rounds: each row is measured in 1 s windows taken in turn with the others, so that
            // drift (JIT still compiling, other processes on the machine) spreads over every row alike
            Map<String, List<HttpLoad.Run>> windows = new LinkedHashMap<>();
            for (int round = 1; round <= o.seconds(); round++) {
                log.printf("bench: round %d of %d: every workload on every route for 1 s, %d clients%n",
                        round, o.seconds(), o.clients());
                for (Workload w : workloads) {
                    for (Route route : Route.values()) {
                        windows.computeIfAbsent(w.name() + "/" + route.label(), k -> new ArrayList<>())
                                .add(http.run(o.chatId(), tokens.get(route), w, route, o.clients(), Duration.ZERO,
                                        Duration.ofSeconds(1)));
                    }
                }
            }
            for (Workload w : workloads) {
                for (Route route : Route.values()) {
                    BenchResult.Row row = BenchResult.Row.of(w, route,
                            HttpLoad.Run.merge(windows.get(w.name() + "/" + route.label())));
                    rows.add(row);
                    log.printf(Locale.ROOT, "bench: %s on %s: %.0f requests/s, p50 %.2f ms, p99 %.2f ms, %d errors%s%n",
                            w.name(), route.label(), row.requestsPerSecond(), row.p50Millis(), row.p99Millis(),
                            row.errors(), row.firstError() == null ? "" : " (first: " + row.firstError() + ")");
                }
            }
        } finally {
            app.stop();
        }
        return new BenchResult(o, machine, load, anchorId, workloads, rows, comparisons);
    }
}
