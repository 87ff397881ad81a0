package chatcache.web;

import chatcache.ChatCache;
import chatcache.Config;
import chatcache.ratelimit.RateLimiter;
import chatcache.ratelimit.RateLimits;
import chatcache.support.TestStores;
import chatcache.user.Authenticator;
import chatcache.user.Role;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.Pool;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rate limits over HTTP on the real Redis: two app instances (each its own ChatCache, on the same
 * MySQL and Redis) with small limits share each caller's budget; the shared test app keeps none.
 */
class HttpRateLimitIT extends LiveApp {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Long enough that no request of a test is allowed again by time passing while it runs. */
    private static final long WINDOW_MILLIS = 600_000;
    private static final int SIGNED_IN = 5;
    private static final int ANONYMOUS = 3;
    private static final RateLimits LIMITS = new RateLimits(SIGNED_IN, ANONYMOUS, WINDOW_MILLIS);
    private static final String OPEN_CHAT = "/chat/1/messages";

    private static ChatCache otherCache;
    private static Javalin first;
    private static Javalin second;

    private Authenticator.Issued alice;
    private Authenticator.Issued bob;

    @BeforeAll
    static void startLimitedApps() {
        first = limitedApp(stores.cache, new RateLimiter(stores.cache.redis(), LIMITS));
        otherCache = ChatCache.open(Config.fromEnv(System.getenv()), stores.clock);
        second = limitedApp(otherCache, new RateLimiter(otherCache.redis(), LIMITS));
    }

    @AfterAll
    static void stopLimitedApps() {
        first.stop();
        second.stop();
        otherCache.close();
    }

    private static Javalin limitedApp(ChatCache cache, RateLimiter limiter) {
        return WebApp.create(cache.messages(), cache.chats(), cache.authenticator(), cache::health, HttpLimits.DEFAULT, limiter)
                .start("127.0.0.1", 0);
    }

    @BeforeEach
    void reset() {
        stores.reset(); // empties Redis: every budget is whole again
        alice = stores.user("alice", Role.USER);
        bob = stores.user("bob", Role.USER);
    }

    private record Answer(int status, String retryAfter, JsonNode json) {
    }

    /** One request, its answer checked against openapi.json like every HTTP test's. */
    private static Answer send(Javalin at, String method, String path, String authorization, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.port() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        try {
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            String type = r.headers().firstValue("Content-Type").orElse("");
            OpenApiConformance.observe(new ApiDocument.Exchange(method, path, body, r.statusCode(), type, r.body()));
            return new Answer(r.statusCode(), r.headers().firstValue("Retry-After").orElse(null),
                    type.startsWith("application/json") ? JSON.readTree(r.body()) : null);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The app's count of refused requests, as /metrics shows it. */
    private static double denied(Javalin at) {
        return http(at, "/metrics").lines().filter(l -> l.startsWith("chatcache_ratelimit_denied_total "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst().orElseThrow();
    }

    private static String http(Javalin at, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.port() + path)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).body();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Answer unread(Javalin at, Authenticator.Issued who) {
        return send(at, "GET", "/me/unread", ApiClient.bearer(who), null);
    }

    private static Answer anonymousRead(Javalin at) {
        return send(at, "POST", OPEN_CHAT, null, "{}");
    }

    /** A 429 with a JSON error and a Retry-After of whole seconds, at least 1 and at most the window. */
    private static void assertLimited(Answer answer) {
        assertEquals(429, answer.status(), String.valueOf(answer.json()));
        assertNotNull(answer.retryAfter(), "Retry-After");
        long seconds = Long.parseLong(answer.retryAfter());
        assertTrue(seconds >= 1 && seconds <= WINDOW_MILLIS / 1000, "Retry-After " + seconds);
        assertTrue(answer.json().path("error").isTextual(), String.valueOf(answer.json()));
    }

    @Test
    void aSignedInCallerHasItsLimitThenGets429WithRetryAfter() {
        double deniedBefore = denied(first);
        for (int i = 0; i < SIGNED_IN; i++) {
            assertEquals(200, unread(first, alice).status(), "request " + (i + 1));
        }
        Answer refused = unread(first, alice);
        assertLimited(refused);
        // one request per interval (window / limit): the wait is about one interval
        long interval = WINDOW_MILLIS / SIGNED_IN / 1000;
        assertTrue(Long.parseLong(refused.retryAfter()) <= interval, refused.retryAfter() + " > " + interval);
        // a refused request costs nothing, and every route is limited, writes included
        assertLimited(send(first, "POST", "/chats", ApiClient.bearer(alice), "{\"title\": \"t\"}"));
        // both refusals are counted where an operator looks (this app's /metrics)
        assertEquals(2.0, denied(first) - deniedBefore);
        assertTrue(http(first, "/metrics").contains("chatcache_ratelimit_failed_open_total 0.0"));
        // the shared test app has no limit
        assertEquals(200, ApiClient.send(http, base, "GET", "/me/unread", ApiClient.bearer(alice), null).status());
    }

    @Test
    void twoInstancesShareOneBudget() {
        for (int i = 0; i < SIGNED_IN; i++) {
            assertEquals(200, unread(i % 2 == 0 ? first : second, alice).status(), "request " + (i + 1));
        }
        assertLimited(unread(second, alice));
        assertLimited(unread(first, alice));
    }

    @Test
    void anotherTokenHasItsOwnBudget() {
        for (int i = 0; i < SIGNED_IN; i++) {
            unread(first, alice);
        }
        assertLimited(unread(first, alice));
        for (int i = 0; i < SIGNED_IN; i++) {
            assertEquals(200, unread(second, bob).status(), "bob's request " + (i + 1));
        }
        assertLimited(unread(second, bob));
    }

    @Test
    void anonymousCallersAreLimitedPerAddressAndMadeUpTokensCountAsAnonymous() {
        for (int i = 0; i < ANONYMOUS; i++) {
            assertEquals(200, anonymousRead(i % 2 == 0 ? first : second).status(), "request " + (i + 1));
        }
        assertLimited(anonymousRead(first));
        // a token that names no one does not bring a budget of its own
        assertLimited(send(second, "GET", "/me/unread", "Bearer " + "x".repeat(43), null));
        // signed-in callers from the same address keep theirs
        assertEquals(200, unread(first, alice).status());
    }

    @Test
    void anUnknownTokenIsStill401WhileItsAddressHasBudget() {
        Answer answer = send(first, "GET", "/me/unread", "Bearer " + "x".repeat(43), null);
        assertEquals(401, answer.status(), String.valueOf(answer.json()));
    }

    @Test
    void healthAndTheDocumentAreNeverLimited() {
        for (int i = 0; i < ANONYMOUS; i++) {
            anonymousRead(first);
        }
        assertLimited(anonymousRead(first));
        for (int i = 0; i < ANONYMOUS + 2; i++) {
            for (String path : List.of("/health", "/health/live", "/health/ready", "/health/", "/openapi.json", "/docs")) {
                int status = send(first, "GET", path, null, null).status();
                assertEquals(200, status, path);
            }
        }
    }

    @Test
    void aSpentBudgetComesBackWithTime() {
        // a window of 2 s: one request per second once the two of a burst are spent
        Javalin quick = limitedApp(stores.cache, new RateLimiter(stores.cache.redis(), new RateLimits(2, 0, 2_000)));
        try {
            assertEquals(200, unread(quick, alice).status());
            assertEquals(200, unread(quick, alice).status());
            Answer refused = unread(quick, alice);
            assertLimited(refused);
            assertEquals("1", refused.retryAfter());
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            int status;
            do {
                status = unread(quick, alice).status();
                assertTrue(System.nanoTime() < deadline, "still refused after 10 s");
                java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            } while (status == 429);
            assertEquals(200, status);
            // anonymous callers have no limit on this app (0 = off)
            for (int i = 0; i < 5; i++) {
                assertEquals(200, anonymousRead(quick).status());
            }
        } finally {
            quick.stop();
        }
    }

    @Test
    void withRedisDownRequestsAreAllowedAndCounted() {
        try (Pool<Jedis> down = TestStores.unreachableRedis()) {
            RateLimiter limiter = new RateLimiter(new chatcache.rediskit.Redis(down), new RateLimits(1, 1, WINDOW_MILLIS));
            Javalin app = limitedApp(stores.cache, limiter);
            try {
                for (int i = 0; i < 3; i++) {
                    assertEquals(200, unread(app, alice).status());
                }
                assertEquals(3, limiter.failedOpen());
                assertEquals(0, limiter.denied());
            } finally {
                app.stop();
            }
        }
    }
}
