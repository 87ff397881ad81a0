package chatcache.web;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;

import java.time.Duration;
import java.util.Set;
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
    /** A method the API does not serve: its name is the client's text. */
    static final String OTHER_METHOD = "other";
    /**
     * why closed sets for every label: a label value a client chooses (a made-up method, a path)
     * adds a series per request, and 7,000 requests once grew /metrics to 189 MB.
     */
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    /** The codes this server answers (openapi.json's); any other is shown as its class, e.g. {@code 5xx}. */
    private static final Set<Integer> STATUSES = Set.of(200, 201, 204, 400, 401, 403, 404, 405, 408, 409, 413, 414,
            415, 422, 429, 431, 500, 503);
    private static final Set<String> STORES = Set.of("redis", "mysql", "redis+mysql");
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
                .tag("method", method(ctx.req().getMethod()))
                .tag("route", route(ctx))
                .tag("status", status(ctx.statusCode()))
                .tag("store", store != null && STORES.contains(store) ? store : "none")
                .serviceLevelObjectives(BUCKETS)
                .register(registry)
                .record((long) (millis * 1_000_000.0), TimeUnit.NANOSECONDS);
    }

    static String method(String sent) {
        return sent != null && METHODS.contains(sent) ? sent : OTHER_METHOD;
    }

    static String status(int code) {
        return STATUSES.contains(code) ? Integer.toString(code) : (code >= 100 && code <= 599 ? code / 100 + "xx" : "other");
    }

    /** The template of the route that answered: routes come from one table (ApiRoutes), so the set is closed. */
    private static String route(Context ctx) {
        Endpoint matched = ctx.endpoints().matchedHttpEndpoint();
        return matched == null ? UNMATCHED : matched.path;
    }
}
