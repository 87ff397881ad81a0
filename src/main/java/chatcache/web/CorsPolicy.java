package chatcache.web;

import chatcache.InvalidConfigException;
import io.javalin.http.Context;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which web pages of other origins may call the API from a browser ({@code CHATCACHE_CORS_ORIGINS};
 * README, "Browsers: CORS"). A listed origin may make every request a page can make with a token
 * in {@code Authorization}; with {@code *}, any other origin may make anonymous requests only (no
 * {@code Authorization}, no {@code Idempotency-Key}, GET and POST). An origin neither listed nor
 * admitted by {@code *} gets no CORS header at all, so its browser refuses it the answer; the
 * server still answers (a same-origin page sends {@code Origin} too). No answer ever asks for
 * credentials: tokens travel in {@code Authorization}, never in cookies.
 *
 * @param origins  exact origins ({@code https://chat.example}), lower case, no path, no default port
 * @param anyOrigin whether {@code *} was given
 */
public record CorsPolicy(Set<String> origins, boolean anyOrigin) {
    public static final String SETTING = "CHATCACHE_CORS_ORIGINS";
    /** No origin but the API's own: the default. */
    public static final CorsPolicy SAME_ORIGIN = new CorsPolicy(Set.of(), false);

    /** why 600 s: a page's preflights are cached that long, and a changed setting reaches browsers within 10 minutes. */
    static final int MAX_AGE_SECONDS = 600;
    private static final List<String> SIGNED_IN_HEADERS = List.of("Authorization", "Content-Type", "Idempotency-Key", "Last-Event-ID");
    private static final List<String> ANONYMOUS_HEADERS = List.of("Content-Type", "Last-Event-ID");
    private static final List<String> SIGNED_IN_METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE");
    private static final List<String> ANONYMOUS_METHODS = List.of("GET", "POST");
    private static final String EXPOSED = "Retry-After, " + RequestIdFilter.HEADER;

    public CorsPolicy {
        origins = Set.copyOf(origins);
    }

    /** From {@value #SETTING}: exact origins and/or {@code *}, comma-separated; absent or blank: {@link #SAME_ORIGIN}. */
    public static CorsPolicy fromEnv(Map<String, String> env) {
        return parse(env.get(SETTING));
    }

    static CorsPolicy parse(String value) {
        if (value == null || value.isBlank()) {
            return SAME_ORIGIN;
        }
        Set<String> origins = new LinkedHashSet<>();
        boolean any = false;
        for (String part : value.split(",", -1)) {
            String entry = part.strip();
            if (entry.equals("*")) {
                any = true;
            } else {
                origins.add(origin(entry));
            }
        }
        return new CorsPolicy(origins, any);
    }

    /** One listed origin, as a browser writes it in {@code Origin}, or an error naming the setting. */
    private static String origin(String entry) {
        String problem = "must be origins such as https://chat.example or http://localhost:8080 (scheme, host, "
                + "optional port; no path, no trailing slash) or *, comma-separated; got '" + entry + "'";
        URI uri;
        try {
            uri = new URI(entry);
        } catch (URISyntaxException e) {
            throw new InvalidConfigException(SETTING + " " + problem);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || uri.getRawUserInfo() != null
                || !uri.getRawPath().isEmpty() || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new InvalidConfigException(SETTING + " " + problem);
        }
        // why refused: a browser leaves the default port out of Origin, so such an entry would never match
        if ((scheme.equals("http") && uri.getPort() == 80) || (scheme.equals("https") && uri.getPort() == 443)) {
            throw new InvalidConfigException(SETTING + " must leave out the scheme's default port (browsers do), got '" + entry + "'");
        }
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
    }

    boolean enabled() {
        return anyOrigin || !origins.isEmpty();
    }

    /** The CORS headers of an answer to a request (not a preflight), set before anything may refuse it. */
    void decorate(Context ctx) {
        if (!enabled()) {
            return;
        }
        // why on every answer: a cache must not hand one origin's answer to another
        ctx.header("Vary", "Origin");
        String origin = ctx.header("Origin");
        if (origin == null || isPreflight(ctx)) {
            return;
        }
        if (origins.contains(origin)) {
            ctx.header("Access-Control-Allow-Origin", origin);
        } else if (anyOrigin && ctx.header("Authorization") == null) {
            ctx.header("Access-Control-Allow-Origin", "*");
        } else {
            return;
        }
        ctx.header("Access-Control-Expose-Headers", EXPOSED);
    }

    /** A browser asking before a cross-origin request: {@code OPTIONS} with {@code Origin} and the method it means. */
    static boolean isPreflight(Context ctx) {
        return "OPTIONS".equals(ctx.req().getMethod()) && ctx.header("Origin") != null
                && ctx.header("Access-Control-Request-Method") != null;
    }

    /**
     * Answers a preflight: 204 with what this origin may send, or 403 (a JSON error, no CORS
     * header: the browser then refuses the request) when the origin, the method or a header is not
     * allowed to it. Needs no token: a browser never sends one with a preflight.
     */
    void answerPreflight(Context ctx) {
        String origin = ctx.header("Origin");
        boolean listed = origins.contains(origin);
        if (!listed && !anyOrigin) {
            throw new ApiException(403, "this origin may not call the API from a browser: " + SETTING + " lists those that may");
        }
        List<String> methods = listed ? SIGNED_IN_METHODS : ANONYMOUS_METHODS;
        List<String> headers = listed ? SIGNED_IN_HEADERS : ANONYMOUS_HEADERS;
        String method = ctx.header("Access-Control-Request-Method");
        if (!methods.contains(method)) {
            throw new ApiException(403, refusal(listed, "the method may be " + String.join(", ", methods)));
        }
        for (String asked : requestedHeaders(ctx.header("Access-Control-Request-Headers"))) {
            if (headers.stream().noneMatch(h -> h.equalsIgnoreCase(asked))) {
                throw new ApiException(403, refusal(listed, "the headers may be " + String.join(", ", headers)));
            }
        }
        ctx.header("Access-Control-Allow-Origin", listed ? origin : "*");
        ctx.header("Access-Control-Allow-Methods", String.join(", ", methods));
        ctx.header("Access-Control-Allow-Headers", String.join(", ", headers));
        ctx.header("Access-Control-Max-Age", Integer.toString(MAX_AGE_SECONDS));
        ctx.status(204);
    }

    private static String refusal(boolean listed, String rule) {
        return listed ? "not allowed from a browser: " + rule
                : "only anonymous requests are allowed from this origin (" + SETTING + " is *): " + rule;
    }

    private static List<String> requestedHeaders(String header) {
        if (header == null || header.isBlank()) {
            return List.of();
        }
        return Arrays.stream(header.split(",")).map(String::strip).filter(h -> !h.isEmpty()).toList();
    }

    @Override
    public String toString() {
        List<String> shown = new ArrayList<>(origins);
        if (anyOrigin) {
            shown.add("* (anonymous requests)");
        }
        return shown.isEmpty() ? "same origin only" : String.join(", ", shown);
    }
}
