package chatcache.web;

import chatcache.user.Authenticator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP calls every functional test makes of the real app, and the checks it makes of an answer. */
final class ApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ApiClient() {
    }

    /** The event settings of the test apps: the defaults, but a heartbeat a test can wait for. */
    static final chatcache.events.EventSettings EVENTS = chatcache.events.EventSettings.DEFAULT.withHeartbeatMillis(500);

    /** The real web app over the test stores, on a free port of 127.0.0.1 (or of {@code host}). */
    static io.javalin.Javalin startApp(chatcache.support.TestStores stores, HttpLimits limits, String host) {
        return WebApp.create(stores.cache, limits, chatcache.ratelimit.RateLimiter.OFF, EVENTS)
                .start(host, 0);
    }

    static io.javalin.Javalin startApp(chatcache.support.TestStores stores, HttpLimits limits) {
        return startApp(stores, limits, "127.0.0.1");
    }

    /** The Authorization header value of an issued token. */
    static String bearer(Authenticator.Issued who) {
        return "Bearer " + who.token();
    }

    /** The body of a post or an edit: {"message": ..., "data": ...} ("data" only when given). */
    static String messageBody(String message, JsonNode data) {
        ObjectNode node = JSON.createObjectNode().put("message", message);
        if (data != null) {
            node.set("data", data);
        }
        return node.toString();
    }

    /** One HTTP answer: status, Content-Type, body, and the body as JSON when it is JSON. */
    record Reply(int status, String contentType, String body, JsonNode json) {
    }

    static Reply send(HttpClient http, URI base, String method, String path, String authorization, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        request.method(method, body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        // why Expect: 100-continue for a body over the limit: the server refuses it by its length
        // and closes; a client still sending the rest can meet a reset that swallows the 413 (RFC
        // 9112 9.6; seen in CI). Asking first, the client sends nothing once the 413 has come.
        if (body != null && body.length() > HttpLimits.DEFAULT.maxBodyBytes()) {
            request.expectContinue(true);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        JsonNode json;
        try {
            json = response.body().isEmpty() ? null : JSON.readTree(response.body());
        } catch (JsonProcessingException e) {
            json = null;
        }
        Reply reply = new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                response.body(), json);
        OpenApiConformance.observe(new ApiDocument.Exchange(method, path, body, reply.status(), reply.contentType(), reply.body()));
        return reply;
    }

    /** A JSON error answer {"error": "..."} with this status. */
    static void assertError(Reply reply, int status) {
        assertError(reply, status, "");
    }

    /** The same, naming where it was asked in a failure's message. */
    static void assertError(Reply reply, int status, String where) {
        String context = where.isEmpty() ? reply.body() : where + ": " + reply.body();
        assertEquals(status, reply.status(), context);
        assertJsonContentType(reply);
        assertNotNull(reply.json(), "error body is not JSON: " + context);
        assertTrue(reply.json().isObject(), context);
        assertTrue(reply.json().path("error").isTextual() && !reply.json().get("error").textValue().isBlank(), context);
    }

    /** The body of a 201 answer, after checking it is JSON. */
    static JsonNode created(Reply reply) {
        assertEquals(201, reply.status(), reply.body());
        assertJsonContentType(reply);
        assertNotNull(reply.json(), reply.body());
        return reply.json();
    }

    /** The id of what a 201 answer created. */
    static long id(Reply reply) {
        return created(reply).get("id").longValue();
    }

    /** The body of a 200 answer, after checking it is a JSON object. */
    static JsonNode ok(Reply reply) {
        assertEquals(200, reply.status(), reply.body());
        assertJsonContentType(reply);
        assertNotNull(reply.json(), reply.body());
        assertTrue(reply.json().isObject(), reply.body());
        return reply.json();
    }

    /** The messages of a successful fetch, after checking which store answered. */
    static List<JsonNode> messages(Reply reply, String expectedSource) {
        assertEquals(200, reply.status(), reply.body());
        assertJsonContentType(reply);
        assertEquals(expectedSource, reply.json().path("source").textValue(), reply.body());
        List<JsonNode> out = new ArrayList<>();
        // why without readByMe: it is each member's own (authors here are members); HttpReadMarkersIT checks it
        reply.json().get("messages").forEach(m -> out.add(((ObjectNode) m.deepCopy()).without("readByMe")));
        return out;
    }

    /** The ids of a successful fetch, newest first, after checking the reader was answered from its store. */
    static List<Long> ids(Reply reply, Reader reader) {
        return messages(reply, reader.source).stream().map(m -> m.get("id").longValue()).toList();
    }

    static List<String> texts(Reply reply, Reader reader) {
        return messages(reply, reader.source).stream().map(m -> m.get("message").textValue()).toList();
    }

    /** The "read" flags of a successful fetch, newest first, after checking each is a boolean. */
    static List<Boolean> readFlags(Reply reply, Reader reader) {
        return messages(reply, reader.source).stream().map(m -> {
            assertTrue(m.get("read").isBoolean(), m.toString());
            return m.get("read").booleanValue();
        }).toList();
    }

    static void assertJsonContentType(Reply reply) {
        assertTrue(reply.contentType().toLowerCase().startsWith("application/json"),
                "Content-Type was '" + reply.contentType() + "' for " + reply.body());
    }

    static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }
}
