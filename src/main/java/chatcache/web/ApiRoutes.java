package chatcache.web;

import io.javalin.config.RoutesConfig;
import io.javalin.event.HandlerMetaInfo;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;

import java.util.List;
import java.util.function.Function;

/**
 * Every route the API serves, in one table. {@link WebApp} registers exactly these and refuses
 * any route added another way ({@link #requireListed}), so the table is the app's routes; the
 * OpenAPI document ({@code openapi.json}) must describe exactly the same (ApiDocumentTest).
 * why a table of our own rather than asking Javalin's router: the router's API changes between
 * Javalin versions, this table does not.
 */
public final class ApiRoutes {

    /** A method ({@code GET}, {@code POST}, ...) and a path template in Javalin's syntax ({@code /chat/{chatId}}). */
    public record Route(String method, String path) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    /** What the routes call. */
    record Handlers(MessageHandlers messages, ChatHandlers chats, EventHandlers events, HealthHandlers health, ApiDocs docs,
                    MetricsPage metrics, DemoPage demo) {
    }

    private record Entry(Route route, Function<Handlers, Handler> handler) {
    }

    private static final List<Entry> TABLE = List.of(
            entry("POST", "/chat/{chatId}/message", h -> h.messages()::post),
            entry("POST", "/chat/{chatId}/messages", h -> h.messages()::fetch),
            entry("PATCH", "/chat/{chatId}/message/{messageId}", h -> h.messages()::edit),
            entry("DELETE", "/chat/{chatId}/message/{messageId}", h -> h.messages()::delete),
            entry("POST", "/chat/{chatId}/read", h -> h.messages()::read),
            entry("GET", "/chat/{chatId}/events", h -> h.events()::stream),
            entry("POST", "/chats", h -> h.chats()::create),
            entry("GET", "/me/unread", h -> h.chats()::unread),
            entry("GET", "/chat/{chatId}", h -> h.chats()::get),
            entry("GET", "/chat/{chatId}/members", h -> h.chats()::members),
            entry("PUT", "/chat/{chatId}/members/{userId}", h -> h.chats()::addMember),
            entry("DELETE", "/chat/{chatId}/members/{userId}", h -> h.chats()::removeMember),
            // why three: an orchestrator restarts what is not live and routes to what is ready;
            // /health's 503 when one store is down would take away servers that still serve reads
            entry("GET", "/health/live", h -> h.health()::live),
            entry("GET", "/health/ready", h -> h.health()::ready),
            entry("GET", "/health", h -> h.health()::health),
            entry("GET", "/metrics", h -> h.metrics()::scrape),
            entry("GET", "/openapi.json", h -> h.docs()::document),
            entry("GET", "/docs", h -> h.docs()::page),
            entry("GET", "/docs/{file}", h -> h.docs()::file),
            entry("GET", "/demo", h -> h.demo()::page),
            entry("GET", "/demo/{file}", h -> h.demo()::file));

    private ApiRoutes() {
    }

    private static Entry entry(String method, String path, Function<Handlers, Handler> handler) {
        return new Entry(new Route(method, path), handler);
    }

    /** Every route, in the order they are registered. */
    public static List<Route> all() {
        return TABLE.stream().map(Entry::route).toList();
    }

    /** Registers every route of the table on this app. */
    static void registerOn(RoutesConfig routes, Handlers handlers) {
        for (Entry e : TABLE) {
            routes.addHttpHandler(HandlerType.findOrCreate(e.route().method()), e.route().path(), e.handler().apply(handlers));
        }
    }

    /**
     * Refuses a route added other than through this table (the app then fails to build, in every
     * test): a route the table does not hold would be missing from the document unnoticed.
     */
    static void requireListed(HandlerMetaInfo added) {
        if (!added.getHttpMethod().isHttpMethod()) {
            return; // before/after handlers are no routes
        }
        Route route = new Route(added.getHttpMethod().name(), added.getPath());
        if (!all().contains(route)) {
            throw new IllegalStateException("route " + route + " is not in ApiRoutes: add it there and to openapi.json");
        }
    }
}
