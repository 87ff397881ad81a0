package chatcache.web;

import chatcache.events.EventSettings;
import chatcache.ratelimit.RateLimiter;
import chatcache.ratelimit.RateLimits;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static chatcache.web.ApiClient.bearer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CORS over HTTP, as a browser asks (README, "Browsers: CORS"): preflights, the headers of answers
 * and errors, the event stream, {@code *} for anonymous requests only, unknown origins refused by
 * the browser (no CORS header) but never by a 5xx. The browser itself is BrowserDemoIT's.
 */
class HttpCorsIT extends LiveApp {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PAGE = "http://pages.example:8080";
    private static final String STRANGER = "http://stranger.example";

    /** Lists PAGE. */
    private static Javalin listed;
    /** Lists PAGE and admits any other origin for anonymous requests. */
    private static Javalin star;
    /** The default: same origin only, anonymous callers allowed 3 requests. */
    private static Javalin limited;
    private static RateLimiter limiter;

    @BeforeAll
    static void startCorsApps() {
        listed = app(CorsPolicy.parse(PAGE), RateLimiter.OFF);
        star = app(CorsPolicy.parse("*, " + PAGE), RateLimiter.OFF);
        limiter = new RateLimiter(stores.cache.redis(), new RateLimits(100, 3, 600_000));
        limited = app(CorsPolicy.parse(PAGE), limiter);
    }

    private static Javalin app(CorsPolicy cors, RateLimiter limiter) {
        return WebApp.create(stores.cache, HttpLimits.DEFAULT, limiter, EventSettings.DEFAULT, cors).start("127.0.0.1", 0);
    }

    @AfterAll
    static void stopCorsApps() {
        listed.stop();
        star.stop();
        limited.stop();
        limiter.close();
    }

    @BeforeEach
    void reset() {
        emptyStoresForChats(); // and every rate-limit budget is whole again
    }

    @Test
    void aListedOriginsPreflightIsAnsweredWithoutATokenAllowingTheApisHeadersAndCachedForTenMinutes() {
        Answer a = preflight(listed, PAGE, "POST", "authorization, content-type, idempotency-key");
        assertEquals(204, a.status(), a.body());
        assertEquals(PAGE, a.header("Access-Control-Allow-Origin"));
        assertEquals(List.of("Authorization", "Content-Type", "Idempotency-Key", "Last-Event-ID"),
                a.list("Access-Control-Allow-Headers"));
        assertEquals(List.of("GET", "POST", "PUT", "PATCH", "DELETE"), a.list("Access-Control-Allow-Methods"));
        assertEquals("600", a.header("Access-Control-Max-Age"));
        assertEquals("Origin", a.header("Vary"));
        assertEquals("", a.header("Access-Control-Allow-Credentials"), "tokens go in Authorization, never in cookies");
    }

    @Test
    void answersAndErrorsToAListedOriginNameItAndExposeRetryAfterAndTheRequestId() {
        long chat = chatWithMember("public", "cors").get("id").longValue();
        Answer page = request(listed, PAGE, "POST", "/chat/" + chat + "/messages", null, "{}");
        assertEquals(200, page.status(), page.body());
        assertEquals(PAGE, page.header("Access-Control-Allow-Origin"));
        assertEquals(List.of("Retry-After", "X-Request-Id"), page.list("Access-Control-Expose-Headers"));
        assertEquals("Origin", page.header("Vary"));

        Answer refused = request(listed, PAGE, "POST", "/chat/" + chat + "/message", "Bearer made-up", "{\"message\":\"hi\"}");
        assertEquals(401, refused.status(), refused.body());
        assertEquals(PAGE, refused.header("Access-Control-Allow-Origin"), "a page reads the error too");
        assertTrue(refused.json().get("error").isTextual(), refused.body());

        Answer posted = request(listed, PAGE, "POST", "/chat/" + chat + "/message", bearer(owner), "{\"message\":\"hi\"}");
        assertEquals(201, posted.status(), posted.body());
        assertEquals(PAGE, posted.header("Access-Control-Allow-Origin"));
    }

    @Test
    void anEventStreamAnswersAListedOriginAsAnEventSourceNeeds() throws IOException, InterruptedException {
        long chat = chatWithMember("public", "cors").get("id").longValue();
        HttpRequest request = HttpRequest.newBuilder(URI.create(base(listed) + "/chat/" + chat + "/events"))
                .header("Origin", PAGE).header("Accept", "text/event-stream").timeout(Duration.ofSeconds(10)).build();
        HttpResponse<InputStream> stream = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = stream.body()) {
            assertEquals(200, stream.statusCode());
            assertEquals(Optional.of(PAGE), stream.headers().firstValue("Access-Control-Allow-Origin"));
            String first = new String(body.readNBytes("retry: ".length()), StandardCharsets.UTF_8);
            assertEquals("retry: ", first, "the stream has begun");
        }
    }

    @Test
    void anUnknownOriginGetsNoCorsHeaderSoItsBrowserRefusesAndItsPreflightIsA403() {
        Answer a = request(listed, STRANGER, "POST", "/chat/1/messages", null, "{}");
        assertTrue(a.status() < 500, a.body());
        assertEquals("", a.header("Access-Control-Allow-Origin"));
        assertEquals("Origin", a.header("Vary"));

        Answer pre = preflight(listed, STRANGER, "POST", "content-type");
        assertEquals(403, pre.status(), pre.body());
        assertEquals("", pre.header("Access-Control-Allow-Origin"));
        assertTrue(pre.json().get("error").textValue().contains("CHATCACHE_CORS_ORIGINS"), pre.body());
    }

    @Test
    void byDefaultOnlyTheApisOwnOriginMayCallItFromABrowser() {
        Answer pre = preflight(app, PAGE, "POST", "content-type");
        assertEquals(403, pre.status(), pre.body());
        assertEquals("", pre.header("Access-Control-Allow-Origin"));
        Answer a = request(app, PAGE, "POST", "/chat/1/messages", null, "{}");
        assertEquals("", a.header("Access-Control-Allow-Origin"));
    }

    @Test
    void starAdmitsAnyOriginForAnonymousRequestsOnly() {
        long chat = chatWithMember("public", "cors").get("id").longValue();
        Answer anonymous = request(star, STRANGER, "POST", "/chat/" + chat + "/messages", null, "{}");
        assertEquals(200, anonymous.status(), anonymous.body());
        assertEquals("*", anonymous.header("Access-Control-Allow-Origin"));

        Answer pre = preflight(star, STRANGER, "POST", "content-type, last-event-id");
        assertEquals(204, pre.status(), pre.body());
        assertEquals("*", pre.header("Access-Control-Allow-Origin"));
        assertEquals(List.of("Content-Type", "Last-Event-ID"), pre.list("Access-Control-Allow-Headers"));

        Answer withToken = preflight(star, STRANGER, "POST", "authorization, content-type");
        assertEquals(403, withToken.status(), withToken.body());
        assertTrue(withToken.json().get("error").textValue().contains("only anonymous requests"), withToken.body());
        assertEquals(403, preflight(star, STRANGER, "DELETE", null).status(), "writes need a listed origin");
        Answer signedIn = request(star, STRANGER, "POST", "/chat/" + chat + "/messages", bearer(owner), "{}");
        assertEquals("", signedIn.header("Access-Control-Allow-Origin"), "a token from an unlisted page is never answered to it");

        Answer listedBeside = preflight(star, PAGE, "POST", "authorization");
        assertEquals(204, listedBeside.status(), listedBeside.body());
        assertEquals(PAGE, listedBeside.header("Access-Control-Allow-Origin"));
    }

    @Test
    void preflightsCountAgainstTheAnonymousRateLimitAndARefusalIsReadableByThePage() {
        for (int i = 0; i < 3; i++) {
            assertEquals(204, preflight(limited, PAGE, "POST", "content-type").status());
        }
        Answer refused = preflight(limited, PAGE, "POST", "content-type");
        assertEquals(429, refused.status(), refused.body());
        assertFalse(refused.header("Retry-After").isEmpty());
        Answer read = request(limited, PAGE, "POST", "/chat/1/messages", null, "{}");
        assertEquals(429, read.status(), "the same budget");
        assertEquals(PAGE, read.header("Access-Control-Allow-Origin"));
    }

    @Test
    void anOptionsRequestThatIsNoPreflightIsStillNoRouteOfTheApi() {
        Answer a = request(listed, PAGE, "OPTIONS", "/chat/1/messages", null, null);
        assertEquals(404, a.status(), a.body());
        assertTrue(a.json().get("error").isTextual(), a.body());
    }

    // ------------------------------------------------------------------ helpers

    private record Answer(int status, HttpHeaders headers, String body) {
        String header(String name) {
            return headers.firstValue(name).orElse("");
        }

        List<String> list(String name) {
            return Arrays.stream(header(name).split(",")).map(String::strip).toList();
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    private static URI base(Javalin server) {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    private static Answer preflight(Javalin server, String origin, String method, String headers) {
        Map<String, String> asked = new TreeMap<>(Map.of("Origin", origin, "Access-Control-Request-Method", method));
        if (headers != null) {
            asked.put("Access-Control-Request-Headers", headers);
        }
        return exchange(server, "OPTIONS", "/chat/1/messages", asked, null);
    }

    private static Answer request(Javalin server, String origin, String method, String path, String authorization, String body) {
        Map<String, String> headers = new TreeMap<>(Map.of("Origin", origin));
        if (authorization != null) {
            headers.put("Authorization", authorization);
        }
        if (body != null) {
            headers.put("Content-Type", "application/json");
        }
        return exchange(server, method, path, headers, body);
    }

    private static Answer exchange(Javalin server, String method, String path, Map<String, String> headers, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base(server) + path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
