package chatcache.web;

import chatcache.ChatCache;
import chatcache.chat.ChatNotFoundException;
import chatcache.chat.ChatService;
import chatcache.message.AnchorNotFoundException;
import chatcache.message.BackendUnavailableException;
import chatcache.message.MessageNotFoundException;
import chatcache.message.MessageService;
import chatcache.message.NotAllowedException;
import chatcache.user.Authenticator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.compression.Gzip;
import io.javalin.config.RoutesConfig;
import io.javalin.http.ContentType;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    /** The same, with these bounds on what a client may send (tests use short deadlines). */
    public static Javalin create(MessageService messages, ChatService chats, Authenticator authenticator,
                                 Supplier<ChatCache.Health> health, HttpLimits limits) {
        // why: numbers in "data" are kept as written (0.10000000000000000001 stays that, 1e2 stays 1E+2)
        ObjectMapper mapper = JsonMapper.builder()
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
                .build();
        CallerResolver callers = new CallerResolver(authenticator);
        MessageHandlers handlers = new MessageHandlers(messages, chats, callers, mapper);
        ChatHandlers chatHandlers = new ChatHandlers(chats, callers, mapper);
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.jsonMapper(new JavalinJackson(mapper, false));
            config.http.maxRequestSize = limits.maxBodyBytes();
            config.http.compressionStrategy = compression();
            // why: a client that stops sending must not keep a server thread; one that trickles is
            // cut off by RequestBody's deadline and rate (not Jetty's rate: see RequestBody)
            config.jetty.modifyHttpConfiguration(http -> http.setIdleTimeout(limits.ioIdleMillis()));
            // why both: Jetty answers requests it cannot parse through the server's error handler,
            // errors inside the servlet through the context's
            config.jetty.modifyServer(jetty -> jetty.setErrorHandler(new JsonErrorHandler()));
            config.jetty.modifyServletContextHandler(context -> context.setErrorHandler(new JsonErrorHandler()));
            routes(config.routes, handlers, chatHandlers, limits, health, mapper);
        });
    }

    private static void routes(RoutesConfig routes, MessageHandlers handlers, ChatHandlers chatHandlers,
                               HttpLimits limits, Supplier<ChatCache.Health> health, ObjectMapper mapper) {
        routes.before(ctx -> RequestChecks.admit(ctx, limits));
        routes.post("/chat/{chatId}/message", handlers::post);
        routes.post("/chat/{chatId}/messages", handlers::fetch);
        routes.patch("/chat/{chatId}/message/{messageId}", handlers::edit);
        routes.delete("/chat/{chatId}/message/{messageId}", handlers::delete);
        routes.post("/chat/{chatId}/read", handlers::read);
        routes.post("/chats", chatHandlers::create);
        routes.get("/me/unread", chatHandlers::unread);
        routes.get("/chat/{chatId}", chatHandlers::get);
        routes.get("/chat/{chatId}/members", chatHandlers::members);
        routes.put("/chat/{chatId}/members/{userId}", chatHandlers::addMember);
        routes.delete("/chat/{chatId}/members/{userId}", chatHandlers::removeMember);
        // why two more: an orchestrator restarts what is not live and routes to what is ready;
        // /health's 503 when one store is down would take away servers that still serve reads
        routes.get("/health/live", ctx -> ctx.json(Map.of("status", "live")));
        routes.get("/health/ready", ctx -> {
            ChatCache.Health h = health.get();
            ObjectNode body = mapper.createObjectNode();
            body.put("status", h.ready() ? "ready" : "not ready");
            body.put("mysql", h.mysqlUp());
            body.put("redis", h.redisUp() && Boolean.TRUE.equals(h.cacheComplete()));
            ctx.status(h.ready() ? 200 : 503).json(body);
        });
        routes.get("/health", ctx -> {
            ChatCache.Health h = health.get();
            ObjectNode body = mapper.createObjectNode();
            body.put("status", h.allUp() ? "ok" : "degraded");
            body.putObject("mysql").put("up", h.mysqlUp());
            ObjectNode redis = body.putObject("redis");
            redis.put("up", h.redisUp());
            redis.put("redisearch", h.redisearchVersion());
            redis.put("complete", h.cacheComplete());
            ObjectNode backlog = body.putObject("backlog");
            backlog.put("outbox", h.outboxBacklog());
            backlog.put("readMarks", h.readMarkBacklog());
            ObjectNode fallbacks = body.putObject("fallbacks");
            h.fallbacks().forEach(fallbacks::put);
            ctx.status(h.allUp() ? 200 : 503).json(body);
        });

        routes.exception(ApiException.class, (e, ctx) -> error(ctx, e.status(), e.getMessage()));
        routes.exception(MessageNotFoundException.class, (e, ctx) -> error(ctx, 404, e.getMessage()));
        // why: the same answer for an anchor of another chat as for no message at all
        routes.exception(AnchorNotFoundException.class, (e, ctx) -> error(ctx, 404, e.getMessage()));
        routes.exception(NotAllowedException.class, (e, ctx) -> error(ctx, 403, e.getMessage()));
        routes.exception(ChatNotFoundException.class, (e, ctx) -> error(ctx, 404, e.getMessage()));
        routes.exception(ChatService.UserNotFoundException.class, (e, ctx) -> error(ctx, 404, e.getMessage()));
        routes.exception(ChatService.ConflictException.class, (e, ctx) -> error(ctx, 409, e.getMessage()));
        routes.exception(BackendUnavailableException.class, (e, ctx) -> {
            log.warn("{} {}: {}", ctx.method(), ctx.path(), e.getMessage());
            error(ctx, 503, "a backing store is unavailable, try again shortly");
        });
        routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), e.getMessage()));
        routes.exception(Exception.class, (e, ctx) -> {
            log.error("{} {} failed", ctx.method(), ctx.path(), e);
            error(ctx, 500, "internal error");
        });
        routes.error(404, ctx -> {
            if (ctx.result() == null || ctx.result().isEmpty()) {
                error(ctx, 404, "no such route: " + ctx.method() + " " + ctx.path());
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

    private static void error(Context ctx, int status, String message) {
        ctx.status(status).json(Map.of("error", message));
    }
}
