package chatcache.web;

import chatcache.ChatCache;
import chatcache.chat.ChatNotFoundException;
import chatcache.chat.ChatService;
import chatcache.core.BackendUnavailableException;
import chatcache.events.EventLog;
import chatcache.events.EventSettings;
import chatcache.events.StreamRefusedException;
import chatcache.logging.ExceptionText;
import chatcache.message.AnchorNotFoundException;
import chatcache.message.ClaimTakenOverException;
import chatcache.message.MessageNotFoundException;
import chatcache.message.HotPages;
import chatcache.message.MessageService;
import chatcache.message.NotAllowedException;
import chatcache.metrics.Metrics;
import chatcache.metrics.ServiceMetrics;
import chatcache.ratelimit.RateLimiter;
import chatcache.redis.RedisEventLog;
import chatcache.user.Authenticator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.javalin.Javalin;
import io.micrometer.core.instrument.MeterRegistry;
import io.javalin.compression.CompressionStrategy;
import io.javalin.compression.Gzip;
import io.javalin.config.JavalinConfig;
import io.javalin.config.RoutesConfig;
import io.javalin.http.ContentType;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import org.eclipse.jetty.server.handler.GracefulHandler;
import jakarta.servlet.DispatcherType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Builds the HTTP API; handlers parse, call a service, render. Errors become JSON here, once. */
public final class WebApp {
    private static final Logger log = LoggerFactory.getLogger(WebApp.class);

    private WebApp() {
    }

    /** An unstarted Javalin app serving the API over these parts. */
    public static Javalin create(MessageService messages, ChatService chats, Authenticator authenticator,
                                 Supplier<ChatCache.Health> health) {
        return create(messages, chats, authenticator, health, HttpLimits.DEFAULT);
    }

    /** The same, with these bounds on what a client may send (tests use short deadlines), and meters of its own. */
    public static Javalin create(MessageService messages, ChatService chats, Authenticator authenticator,
                                 Supplier<ChatCache.Health> health, HttpLimits limits) {
        return create(messages, chats, authenticator, health, limits, new Metrics(), RateLimiter.OFF);
    }

    /** The same, recording in (and showing at GET /metrics) this registry: the server's own. */
    public static Javalin create(MessageService messages, ChatService chats, Authenticator authenticator,
                                 Supplier<ChatCache.Health> health, HttpLimits limits, Metrics metrics) {
        return create(messages, chats, authenticator, health, limits, metrics, RateLimiter.OFF);
    }

    /** The same, with each caller's requests counted against these rate limits (README, "Rate limits"). */
    public static Javalin create(MessageService messages, ChatService chats, Authenticator authenticator,
                                 Supplier<ChatCache.Health> health, HttpLimits limits, RateLimiter rateLimiter) {
        return create(messages, chats, authenticator, health, limits, new Metrics(), rateLimiter);
    }

    /** The same, without live events: GET /chat/{chatId}/events answers 503. */
    public static Javalin create(MessageService messages, ChatService chats, Authenticator authenticator,
                                 Supplier<ChatCache.Health> health, HttpLimits limits, Metrics metrics,
                                 RateLimiter rateLimiter) {
        return create(messages, chats, authenticator, health, limits, metrics, rateLimiter, null, EventSettings.DEFAULT,
                CorsPolicy.SAME_ORIGIN, HotPages.OFF);
    }

    /** The whole API over one ChatCache's parts, live events included (README, "Live events"), for pages of its own origin. */
    public static Javalin create(ChatCache cache, HttpLimits limits, RateLimiter rateLimiter, EventSettings events) {
        return create(cache, limits, rateLimiter, events, CorsPolicy.SAME_ORIGIN);
    }

    /** The same, callable from the pages of other origins that this policy admits (README, "Browsers: CORS"). */
    public static Javalin create(ChatCache cache, HttpLimits limits, RateLimiter rateLimiter, EventSettings events,
                                 CorsPolicy cors) {
        return create(cache.messages(), cache.chats(), cache.authenticator(), cache::health, limits, cache.metrics(),
                rateLimiter, new RedisEventLog(cache.redis(), cache.groups()), events, cors, cache.hotPages());
    }

    /** The same, with default limits and no rate limits. */
    public static Javalin create(ChatCache cache) {
        return create(cache, HttpLimits.DEFAULT, RateLimiter.OFF, EventSettings.DEFAULT);
    }

    /**
     * The server's: its registry, its rate limits, the event streams it reads ({@code null}: none),
     * the other origins whose pages may call it, and the pages it keeps in memory.
     */
    public static Javalin create(MessageService messages, ChatService chats, Authenticator authenticator,
                                 Supplier<ChatCache.Health> health, HttpLimits limits, Metrics metrics,
                                 RateLimiter rateLimiter, EventLog eventLog, EventSettings eventSettings, CorsPolicy cors,
                                 HotPages hotPages) {
        // why: numbers in "data" are kept as written (0.10000000000000000001 stays that, 1e2 stays 1E+2)
        ObjectMapper mapper = JsonMapper.builder()
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
                .build();
        CallerResolver callers = new CallerResolver(authenticator);
        MessageHandlers handlers = new MessageHandlers(messages, chats, callers, mapper, eventLog, hotPages);
        ChatHandlers chatHandlers = new ChatHandlers(chats, callers, mapper);
        RateLimitCheck rateLimit = new RateLimitCheck(rateLimiter, callers);
        LiveEvents live = LiveEvents.start(eventLog, eventSettings, mapper.getFactory(), chats, callers, metrics.registry());
        ServiceMetrics.rateLimits(metrics.registry(), rateLimiter);
        ServiceMetrics.suppressedLogLines(metrics.registry());
        return Javalin.create(config -> {
            server(config, limits, metrics.registry());
            config.jsonMapper(new JavalinJackson(mapper, false));
            config.events.handlerAdded(ApiRoutes::requireListed);
            // why before Jetty stops: an open stream is a request in flight, which a graceful stop would wait for
            config.events.serverStopping(() -> live.close("server stopping"));
            config.requestLogger.http(new RequestMetrics(metrics.registry())::record);
            routes(config.routes, handlers, chatHandlers, live.handlers(), limits, rateLimit, cors, health, mapper, metrics);
        });
    }

    /**
     * The server's behaviour apart from routes: limits, compression, idle timeout, error pages,
     * graceful stop, request ids. Package-private so that tests of the streaming pieces
     * (SseConnectionIT) run under exactly this Jetty, with routes of their own.
     */
    static void server(JavalinConfig config, HttpLimits limits, MeterRegistry registry) {
        ClientConnections connections = new ClientConnections(limits, registry);
        config.startup.showJavalinBanner = false;
        config.http.maxRequestSize = limits.maxBodyBytes();
        config.http.compressionStrategy = compression();
        // why: a client that stops sending must not keep a server thread; one that trickles is
        // cut off by RequestBody's deadline and rate (not Jetty's rate: see RequestBody)
        config.jetty.modifyHttpConfiguration(http -> http.setIdleTimeout(limits.ioIdleMillis()));
        // why both: Jetty answers requests it cannot parse through the server's error handler,
        // errors inside the servlet through the context's
        config.jetty.modifyServer(jetty -> {
            jetty.setErrorHandler(new JsonErrorHandler());
            // why first: each inserted handler wraps the ones before, so the graceful stop below
            // also waits for requests whose bodies are still being read
            jetty.insertHandler(WholeBodies.handler(limits));
            // why: on stop (SIGTERM), the connectors stop accepting at once and requests already
            // begun are finished, for up to the stop timeout, before the server goes down
            jetty.insertHandler(new GracefulHandler());
            jetty.setStopTimeout(limits.stopTimeoutMillis());
            connections.install(jetty);
        });
        config.jetty.modifyServletContextHandler(context -> {
            context.setErrorHandler(new JsonErrorHandler());
            context.addFilter(RequestIdFilter.class, "/*", EnumSet.of(DispatcherType.REQUEST));
        });
    }

    private static void routes(RoutesConfig routes, MessageHandlers handlers, ChatHandlers chatHandlers,
                               EventHandlers eventHandlers, HttpLimits limits, RateLimitCheck rateLimit, CorsPolicy cors,
                               Supplier<ChatCache.Health> health, ObjectMapper mapper, Metrics metrics) {
        routes.before(ctx -> RequestChecks.admit(ctx, limits, rateLimit, cors));
        ApiRoutes.registerOn(routes, new ApiRoutes.Handlers(handlers, chatHandlers, eventHandlers, new HealthHandlers(health, mapper), new ApiDocs(),
                new MetricsPage(metrics), new DemoPage()));

        routes.exception(ApiException.class, (e, ctx) -> error(ctx, e.status(), e.getMessage()));
        routes.exception(MessageNotFoundException.class, (e, ctx) -> error(ctx, 404, e.getMessage()));
        // why: the same answer for an anchor of another chat as for no message at all
        routes.exception(AnchorNotFoundException.class, (e, ctx) -> error(ctx, 404, e.getMessage()));
        routes.exception(NotAllowedException.class, (e, ctx) -> error(ctx, 403, e.getMessage()));
        routes.exception(ChatNotFoundException.class, (e, ctx) -> error(ctx, 404, e.getMessage()));
        routes.exception(ChatService.UserNotFoundException.class, (e, ctx) -> error(ctx, 404, e.getMessage()));
        routes.exception(ChatService.ConflictException.class, (e, ctx) -> error(ctx, 409, e.getMessage()));
        routes.exception(ClaimTakenOverException.class, (e, ctx) -> error(ctx, 409, e.getMessage()));
        routes.exception(BackendUnavailableException.class, (e, ctx) -> {
            // why the route and not the path: a path's segments are the client's text
            log.warn("{} {}: {}", RequestMetrics.method(ctx.req().getMethod()), route(ctx), ExceptionText.summary(e));
            error(ctx, 503, "a backing store is unavailable, try again shortly");
        });
        routes.exception(StreamRefusedException.class, (e, ctx) -> {
            ctx.header("Retry-After", "1");
            error(ctx, e.callersLimit() ? 429 : 503, e.getMessage());
        });
        // why not e.getMessage(): Javalin's texts ("Endpoint TRACE / not found") are not the API's own
        routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), ownText(ctx, e.getStatus())));
        routes.exception(Exception.class, (e, ctx) -> {
            log.error("{} {} failed", RequestMetrics.method(ctx.req().getMethod()), route(ctx), e);
            error(ctx, 500, "internal error");
        });
        routes.error(404, ctx -> {
            if (ctx.result() == null || ctx.result().isEmpty()) {
                error(ctx, 404, ownText(ctx, 404));
            }
        });
    }

    /**
     * Gzip, as Javalin's default, for the clients that accept it. why JSON named as allowed: Javalin
     * otherwise decides by a case-insensitive substring search of every response's type in its
     * list of excluded types, which cost 5 % of a page request's CPU (JFR, BENCHMARKS.md run F).
     */
    private static CompressionStrategy compression() {
        CompressionStrategy gzip = new CompressionStrategy(null, new Gzip());
        gzip.setAllowedMimeTypes(List.of(ContentType.JSON));
        return gzip;
    }

    /** The route's template ({@code /chat/{chatId}/message}), for logs: the path itself is the client's text. */
    static String route(Context ctx) {
        try {
            return ctx.endpoint().path;
        } catch (RuntimeException e) {
            return "(no route)";
        }
    }

    /** The API's words for a status that Javalin, not a handler, chose. */
    static String ownText(Context ctx, int status) {
        return switch (status) {
            case 404 -> RequestMetrics.OTHER_METHOD.equals(RequestMetrics.method(ctx.req().getMethod()))
                    ? "no such route: the API's methods are GET, POST, PUT, PATCH and DELETE"
                    : "no such route: " + ctx.req().getMethod() + " " + shortPath(ctx.path());
            case 405 -> "this route does not take that method";
            case 408 -> "the request did not arrive in time";
            case 413 -> "the request is too large";
            case 400 -> "the request is malformed";
            default -> status >= 500 ? "internal error" : "the request cannot be served";
        };
    }

    /** why cut: the path is the client's text, and an error repeats it. */
    private static String shortPath(String path) {
        return path.length() > 200 ? path.substring(0, 200) + "..." : path;
    }

    private static void error(Context ctx, int status, String message) {
        ctx.status(status).json(Map.of("error", message));
    }
}
