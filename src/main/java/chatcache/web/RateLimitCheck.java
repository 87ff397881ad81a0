package chatcache.web;

import chatcache.core.BackendUnavailableException;
import chatcache.ratelimit.Decision;
import chatcache.ratelimit.RateLimiter;
import chatcache.user.User;
import io.javalin.http.Context;

import java.util.Optional;
import java.util.Set;

/**
 * Counts each request against its caller's budget ({@link RateLimiter}) and refuses it with 429
 * and {@code Retry-After} once the budget is spent. Health probes, the metrics, the API
 * document and the demo page's files are exempt: an orchestrator's probes must never be
 * refused, and the files are served from memory.
 */
final class RateLimitCheck {
    private static final Set<String> EXEMPT = Set.of("/health", "/health/live", "/health/ready", "/metrics",
            "/openapi.json", "/docs", "/demo");

    private final RateLimiter limiter;
    private final CallerResolver callers;

    RateLimitCheck(RateLimiter limiter, CallerResolver callers) {
        this.limiter = limiter;
        this.callers = callers;
    }

    void admit(Context ctx) {
        if (!limiter.enabled() || exempt(ctx.path())) {
            return;
        }
        Decision decision = user(ctx).map(u -> limiter.user(u.id()))
                .orElseGet(() -> limiter.address(ctx.req().getRemoteAddr()));
        if (!decision.allowed()) {
            long seconds = decision.retryAfterSeconds();
            ctx.header("Retry-After", Long.toString(seconds));
            throw new ApiException(429, "too many requests: try again in " + seconds + " s");
        }
    }

    /**
     * The signed-in user, if the token names one. why a token that does not counts against its
     * address: made-up tokens would otherwise each bring a budget of their own; the route still
     * answers such a request 401 as before.
     */
    private Optional<User> user(Context ctx) {
        if (ctx.header("Authorization") == null) {
            return Optional.empty();
        }
        try {
            return callers.resolve(ctx).user();
        } catch (ApiException | BackendUnavailableException e) {
            return Optional.empty();
        }
    }

    private static boolean exempt(String path) {
        // why the trailing slashes: Javalin routes /health/ as /health
        String p = path;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return EXEMPT.contains(p) || p.startsWith("/docs/") || p.startsWith("/demo/");
    }
}
