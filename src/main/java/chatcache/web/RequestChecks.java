package chatcache.web;

import io.javalin.http.Context;

import java.util.Collections;
import java.util.List;

/** What every request must pass before any route sees it; each refusal is a JSON error. */
final class RequestChecks {
    /** why: these would let a GET act as a DELETE, behind a proxy whose rules go by method. */
    private static final List<String> METHOD_OVERRIDES =
            List.of("X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override");

    /** The answer to every CONNECT, whether Javalin or Jetty sees it first. */
    static final String CONNECT_REFUSED = "CONNECT is not supported";

    private RequestChecks() {
    }

    static void admit(Context ctx, HttpLimits limits, RateLimitCheck rateLimit, CorsPolicy cors) {
        SecurityHeaders.apply(ctx::header);
        // why first: a refusal below is an answer the page on another origin must be able to read
        cors.decorate(ctx);
        if ("CONNECT".equals(ctx.req().getMethod())) {
            // why before the body: a CONNECT's "body" is a tunnel that ends only when the client closes;
            // and Jetty keeps a CONNECT's connection open unless told to close it
            ctx.header("Connection", "close");
            throw new ApiException(405, CONNECT_REFUSED);
        }
        for (String header : METHOD_OVERRIDES) {
            if (ctx.req().getHeader(header) != null) {
                throw ApiException.badRequest(header + " is not supported: send the method itself");
            }
        }
        if (!wellFormedEscapes(ctx.req().getRequestURI())) {
            // why here: Javalin decodes path parameters itself and fails on these with a 500
            throw ApiException.badRequest("the path holds a malformed %-escape");
        }
        if (Collections.list(ctx.req().getHeaders("Authorization")).size() > 1) {
            throw ApiException.badRequest("send one Authorization header, not several");
        }
        // why before the body: a refused caller is not waited for; a preflight is counted like any anonymous request
        rateLimit.admit(ctx);
        if (CorsPolicy.isPreflight(ctx)) {
            cors.answerPreflight(ctx);
            ctx.skipRemainingHandlers();
            return;
        }
        RequestBody.read(ctx, limits);
    }

    /** Every '%' starts an escape of two hexadecimal digits. */
    private static boolean wellFormedEscapes(String rawPath) {
        for (int i = rawPath.indexOf('%'); i >= 0; i = rawPath.indexOf('%', i + 1)) {
            if (i + 2 >= rawPath.length() || Character.digit(rawPath.charAt(i + 1), 16) < 0
                    || Character.digit(rawPath.charAt(i + 2), 16) < 0) {
                return false;
            }
        }
        return true;
    }
}
