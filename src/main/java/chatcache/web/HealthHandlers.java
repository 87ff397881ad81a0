package chatcache.web;

import chatcache.ChatCache;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;

import java.util.Map;
import java.util.function.Supplier;

/** GET /health/live, GET /health/ready and GET /health. */
final class HealthHandlers {
    private final Supplier<ChatCache.Health> health;
    private final ObjectMapper mapper;

    HealthHandlers(Supplier<ChatCache.Health> health, ObjectMapper mapper) {
        this.health = health;
        this.mapper = mapper;
    }

    /** Whenever the process answers; touches no store. */
    void live(Context ctx) {
        ctx.json(Map.of("status", "live"));
    }

    /** 200 while reads can be served (by MySQL, or by Redis holding a complete copy), else 503. */
    void ready(Context ctx) {
        ChatCache.Health h = health.get();
        ObjectNode body = mapper.createObjectNode();
        body.put("status", h.ready() ? "ready" : h.draining() ? "draining" : "not ready");
        body.put("mysql", h.mysqlUp());
        body.put("redis", h.redisUp() && Boolean.TRUE.equals(h.cacheComplete()));
        ctx.status(h.ready() ? 200 : 503).json(body);
    }

    /** The detail: each store, the backlogs, the fallbacks; 503 when either store is down. */
    void health(Context ctx) {
        ChatCache.Health h = health.get();
        ObjectNode body = mapper.createObjectNode();
        body.put("status", h.allUp() ? "ok" : "degraded");
        body.put("version", h.version());
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
        ObjectNode cache = body.putObject("cache");
        cache.put("window", h.cache().window());
        cache.put("budgetBytes", h.cache().budgetBytes());
        cache.put("usedBytes", h.cache().usedBytes());
        cache.put("chatsHeld", h.cache().chatsHeld());
        cache.put("evictions", h.cache().evictions());
        cache.put("warmUps", h.cache().warmUps());
        ctx.status(h.allUp() ? 200 : 503).json(body);
    }
}
