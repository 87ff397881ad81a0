package chatcache.web;

import chatcache.metrics.Metrics;
import io.javalin.http.Context;

/**
 * GET /metrics: every meter in Prometheus's text format. No token: like a health check, it is
 * meant for the private network a Prometheus scrapes from (README, Metrics).
 */
final class MetricsPage {
    private final Metrics metrics;

    MetricsPage(Metrics metrics) {
        this.metrics = metrics;
    }

    void scrape(Context ctx) {
        ctx.contentType(Metrics.CONTENT_TYPE).result(metrics.scrape());
    }
}
