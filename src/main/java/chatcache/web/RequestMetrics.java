package chatcache.web;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Times every request Javalin handles as {@code http.server.requests} (Prometheus:
 * {@code http_server_requests_seconds}) by method, route template, status and the store that
 * answered. why the template ({@code /chat/{chatId}/messages}), never the path: the path holds ids,
 * and a label per id would grow the series without bound.
 */
final class RequestMetrics {
    /** The context attribute a handler sets to the store that answered: {@code redis} or {@code mysql}. */
    private static final String STORE = "chatcache.answeredBy";
    /** Requests no route matched (404s), or refused before routing (too large, rate-limited). */
    static final String UNMATCHED = "unmatched";
    /** why these bounds: they bracket a page from Redis (~1 ms) up to the 10 s stop timeout, so p50..p99 are computable. */
    private static final Duration[] BUCKETS = java.util.stream.LongStream.of(1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000)
            .mapToObj(Duration::ofMillis).toArray(Duration[]::new);

    private final MeterRegistry registry;

    RequestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Notes which store answered this request ({@code redis}, {@code mysql}); unset means {@code none}. */
    static void answeredBy(Context ctx, String store) {
        ctx.attribute(STORE, store);
    }

    /** Javalin's request logger: called once per request, after its answer, with its duration. */
    void record(Context ctx, Float millis) {
        String store = ctx.attribute(STORE);
        Timer.builder("http.server.requests")
                .description("HTTP requests by route template, status and the store that answered")
                .tag("method", ctx.method().name())
                .tag("route", route(ctx))
                .tag("status", Integer.toString(ctx.statusCode()))
                .tag("store", store == null ? "none" : store)
                .serviceLevelObjectives(BUCKETS)
                .register(registry)
                .record((long) (millis * 1_000_000.0), TimeUnit.NANOSECONDS);
    }

    private static String route(Context ctx) {
        Endpoint matched = ctx.endpoints().matchedHttpEndpoint();
        return matched == null ? UNMATCHED : matched.path;
    }
}
