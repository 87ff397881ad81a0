package chatcache.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Every figure of one bench run, for people ({@link #toMarkdown()}) and for tests (the fields). */
public record BenchResult(BenchOptions options, Machine machine, ChatLoad load, long anchorId,
                          List<Workload> workloads, List<Row> rows, List<Comparison> comparisons) {

    /** One workload on one route. Latencies in milliseconds. */
    public record Row(String workload, Route route, long requests, double seconds, double requestsPerSecond,
                      double p50Millis, double p99Millis, double maxMillis, long errors, String firstError) {

        static Row of(Workload w, Route r, HttpLoad.Run run) {
            long[] ns = run.sortedNanos();
            return new Row(w.name(), r, run.requests(), run.seconds(), run.requests() / run.seconds(),
                    percentile(ns, 0.50), percentile(ns, 0.99), ns.length == 0 ? Double.NaN : ns[ns.length - 1] / 1e6,
                    run.errors(), run.firstError());
        }

        /** Nearest rank: the smallest latency that at least q of all requests did not exceed. */
        static double percentile(long[] sortedNanos, double q) {
            if (sortedNanos.length == 0) {
                return Double.NaN;
            }
            int rank = (int) Math.ceil(q * sortedNanos.length);
            return sortedNanos[Math.max(0, rank - 1)] / 1e6;
        }
    }

    /**
     * One answer of the Redis route against one of the MySQL route for the same body: positions
     * whose ids differ (a missing or extra message counts as one), and whether hasOlder/hasNewer differ.
     */
    public record Comparison(String workload, List<Long> redisIds, List<Long> mysqlIds, int mismatches,
                             boolean flagsDiffer, String problem) {
        static Comparison of(String workload, HttpLoad.Answer redis, HttpLoad.Answer mysql, String problem) {
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
            return new Comparison(workload, redis.ids(), mysql.ids(), mismatches, flags, problem);
        }

        public boolean agree() {
            return mismatches == 0 && !flagsDiffer && problem == null;
        }
    }

    public Optional<Row> row(String workload, Route route) {
        return rows.stream().filter(r -> r.workload().equals(workload) && r.route() == route).findFirst();
    }

    public long totalErrors() {
        return rows.stream().mapToLong(Row::errors).sum();
    }

    public long totalMismatches() {
        return comparisons.stream().filter(c -> !c.agree()).mapToLong(c -> Math.max(1, c.mismatches())).sum();
    }

    /** p50 of {@code workload} over p50 of the first workload ("latest"), on one route. */
    public double depthRatio(String workload, Route route) {
        return ratio(row(workload, route), row(workloads.get(0).name(), route));
    }

    /** p50 of the Redis route over p50 of the MySQL route, for one workload. */
    public double routeRatio(String workload) {
        return ratio(row(workload, Route.REDIS), row(workload, Route.MYSQL));
    }

    private static double ratio(Optional<Row> a, Optional<Row> b) {
        if (a.isEmpty() || b.isEmpty() || !(b.get().p50Millis() > 0)) {
            return Double.NaN;
        }
        return a.get().p50Millis() / b.get().p50Millis();
    }

    public String toMarkdown() {
        List<String> out = new ArrayList<>();
        BenchOptions o = options;
        out.add(String.format(Locale.ROOT, "## chatcache bench: chat %d, %,d messages; pages of %d at the top and %,d deep; "
                        + "%d clients, %d s per row",
                load.chatId(), load.messages(), o.limit(), o.depth(), o.clients(), o.seconds()));
        out.add("");
        out.add("Machine: " + machine.line() + ". Clients, the app (in-process, Javalin over HTTP on 127.0.0.1)"
                + " and both servers share these CPUs.");
        out.add("");
        out.add("Data: " + load.describe() + ".");
        out.add("");
        out.add("Workloads (POST /chat/" + load.chatId() + "/messages; redis = USER token, mysql = API token):");
        out.add("");
        for (Workload w : workloads) {
            out.add("- `" + w.name() + "`: " + w.description() + ", body `" + w.body() + "`");
        }
        out.add("");
        out.add(String.format(Locale.ROOT, "Closed loop: each client sends its next request when the last one is"
                + " answered (HTTP/1.1 keep-alive). Warm-up, not measured: every row for %d s. Then %d round(s) of"
                + " every row in turn for 1 s. Latency = request sent to answer read and checked (HTTP 200, %d"
                + " messages, the route's source).", o.warmupSeconds(), o.seconds(), o.limit()));
        out.add("");
        out.add("| workload | route | requests | requests/s | p50 ms | p99 ms | max ms | errors |");
        out.add("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (Row r : rows) {
            out.add(String.format(Locale.ROOT, "| %s | %s | %d | %.0f | %.2f | %.2f | %.1f | %d |", r.workload(),
                    r.route().label(), r.requests(), r.requestsPerSecond(), r.p50Millis(), r.p99Millis(), r.maxMillis(),
                    r.errors()));
        }
        out.add("");
        out.add("| ratio of p50 | value |");
        out.add("| --- | ---: |");
        for (Route route : Route.values()) {
            for (Workload w : workloads.subList(1, workloads.size())) {
                out.add(String.format(Locale.ROOT, "| %s / %s, %s | %.2f |", w.name(), workloads.get(0).name(),
                        route.label(), depthRatio(w.name(), route)));
            }
        }
        for (Workload w : workloads) {
            out.add(String.format(Locale.ROOT, "| redis / mysql, %s | %.2f |", w.name(), routeRatio(w.name())));
        }
        out.add("");
        List<String> compared = new ArrayList<>();
        for (Comparison c : comparisons) {
            compared.add(c.workload() + " " + c.mismatches() + " mismatches"
                    + (c.flagsDiffer() ? " (hasOlder/hasNewer differ)" : "")
                    + (c.problem() != null ? " (" + c.problem() + ")" : ""));
        }
        out.add("Redis vs MySQL answer for the same body (ids and order; read flags ignored): "
                + String.join(", ", compared) + ".");
        for (Row r : rows) {
            if (r.firstError() != null) {
                out.add("");
                out.add("First error of " + r.workload() + "/" + r.route().label() + ": " + r.firstError());
            }
        }
        return String.join("\n", out) + "\n";
    }
}
