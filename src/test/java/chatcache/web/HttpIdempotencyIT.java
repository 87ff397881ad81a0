package chatcache.web;

import chatcache.ChatCache;
import chatcache.Config;
import chatcache.message.ClaimTakenOverException;
import chatcache.message.IdempotencyClaim;
import chatcache.message.IdempotencyKeys;
import chatcache.message.NewMessage;
import chatcache.user.Authenticator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code Idempotency-Key} on posts and edits, over HTTP on the real stores, with a second app
 * instance (its own ChatCache and web app on the same MySQL and Redis) for repeats that race
 * each other on different instances.
 */
class HttpIdempotencyIT extends LiveApp {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long CHAT = 7;

    private ChatCache otherCache;
    private Javalin other;

    @BeforeEach
    void reset() {
        emptyStores();
        stores.members(CHAT, alice.user(), bob.user());
        // the same clock as the first instance: instances of one deployment agree on the time
        otherCache = ChatCache.open(Config.fromEnv(System.getenv()), stores.clock);
        other = WebApp.create(otherCache.messages(), otherCache.chats(), otherCache.authenticator(), otherCache::health)
                .start("127.0.0.1", 0);
    }

    @AfterEach
    void closeOther() {
        other.stop();
        otherCache.close();
    }

    private record Answer(int status, JsonNode json, boolean replayed) {
    }

    private Answer send(Javalin at, String method, String path, Authenticator.Issued who, String key, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.port() + path))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + who.token())
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        try {
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), JSON.readTree(r.body()),
                    r.headers().firstValue("Idempotent-Replayed").map("true"::equals).orElse(false));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Answer post(Javalin at, Authenticator.Issued who, String key, String text) {
        return send(at, "POST", "/chat/" + CHAT + "/message", who, key, "{\"message\": \"" + text + "\"}");
    }

    private long messagesInMysql() {
        return stores.cache.mysqlMessages().count(java.util.Optional.of(CHAT));
    }

    @Test
    void aRepeatWithTheSameKeyGetsTheFirstAnswerAndStoresNothing() {
        Answer first = post(app, alice, "k-1", "hello");
        assertEquals(201, first.status(), first.json().toString());
        Answer again = post(app, alice, "k-1", "hello");
        Answer elsewhere = post(other, alice, "k-1", "hello");
        for (Answer repeat : List.of(again, elsewhere)) {
            assertEquals(201, repeat.status());
            assertEquals(first.json(), repeat.json(), "the first answer, whole");
            assertTrue(repeat.replayed(), "marked as a replay");
        }
        assertTrue(!first.replayed());
        assertEquals(1, messagesInMysql());
        assertEquals(1, stores.cache.redisMessages().orderedIds(CHAT).size(), "one message in Redis");
        // without a key, or with another one, a post is a new message
        assertEquals(201, post(app, alice, null, "hello").status());
        assertEquals(201, post(app, alice, "k-2", "hello").status());
        assertEquals(3, messagesInMysql());
    }

    @Test
    void theSameKeyWithAnotherRequestIs422AndKeysBelongToTheirUser() {
        long id = post(app, alice, "k", "hello").json().get("id").asLong();
        Answer otherBody = post(app, alice, "k", "bye");
        assertEquals(422, otherBody.status());
        assertTrue(otherBody.json().get("error").asText().contains("Idempotency-Key"));
        Answer otherRoute = send(app, "PATCH", "/chat/" + CHAT + "/message/" + id, alice, "k", "{\"message\": \"hello\"}");
        assertEquals(422, otherRoute.status());
        Answer bobs = post(app, bob, "k", "hello");
        assertEquals(201, bobs.status(), "another user's key is another key");
        assertNotEquals(id, bobs.json().get("id").asLong());
        assertEquals(2, messagesInMysql());
    }

    @Test
    void aKeyMustBeVisibleAsciiOfAtMost255Characters() {
        for (String bad : List.of("a b", "x".repeat(256), "tab\there")) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/chat/" + CHAT + "/message"))
                    .header("Authorization", "Bearer " + alice.token())
                    .header("Idempotency-Key", bad)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"message\": \"m\"}")).build();
            try {
                HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                assertEquals(400, r.statusCode(), bad + ": " + r.body());
            } catch (IllegalArgumentException e) {
                // the client itself refuses a header value it cannot send; nothing to test there
            } catch (IOException | InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        assertEquals(201, post(app, alice, "x".repeat(255), "m").status());
        assertEquals(1, messagesInMysql());
    }

    @Test
    void aRepeatedEditAnswersAsFirstAndDoesNotUndoALaterEdit() {
        long id = post(app, alice, null, "v1").json().get("id").asLong();
        String path = "/chat/" + CHAT + "/message/" + id;
        Answer first = send(app, "PATCH", path, alice, "e-1", "{\"message\": \"v2\"}");
        assertEquals(200, first.status());
        assertEquals(200, send(app, "PATCH", path, alice, null, "{\"message\": \"v3\"}").status());
        Answer repeat = send(other, "PATCH", path, alice, "e-1", "{\"message\": \"v2\"}");
        assertEquals(200, repeat.status());
        assertEquals(first.json(), repeat.json());
        assertEquals("v3", stores.cache.mysqlMessages().load(List.of(id)).get(0).text(), "the later edit stays");
    }

    @Test
    void repeatsRacingOnTwoInstancesStoreOneMessageAndAllGetItsAnswer() throws Exception {
        int repeats = 16;
        ExecutorService pool = Executors.newFixedThreadPool(repeats);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Answer>> answers = new ArrayList<>();
        for (int i = 0; i < repeats; i++) {
            Javalin at = i % 2 == 0 ? app : other;
            answers.add(pool.submit(() -> {
                go.await();
                return post(at, alice, "race", "once");
            }));
        }
        go.countDown();
        Set<Long> ids = new HashSet<>();
        for (Future<Answer> f : answers) {
            Answer a = f.get(60, TimeUnit.SECONDS);
            assertEquals(201, a.status(), a.json().toString());
            ids.add(a.json().get("id").asLong());
        }
        pool.shutdown();
        assertEquals(1, ids.size(), "every repeat got the same message");
        assertEquals(1, messagesInMysql());
    }

    @Test
    void anAbandonedClaimIsTakenOverAndItsLatePostIsRefused() {
        IdempotencyKeys keys = stores.cache.messages().idempotencyKeys().orElseThrow();
        long userId = alice.user().id();
        long t = 1_000_000;
        IdempotencyKeys.Outcome first = keys.claim(userId, "slow", "r", t);
        IdempotencyClaim abandoned = assertInstanceOf(IdempotencyKeys.Claimed.class, first).claim();
        assertInstanceOf(IdempotencyKeys.InProgress.class, keys.claim(userId, "slow", "r", t + 1_000), "still being worked on");
        IdempotencyClaim takenOver = assertInstanceOf(IdempotencyKeys.Claimed.class,
                keys.claim(userId, "slow", "r", t + IdempotencyKeys.ABANDONED_MILLIS + 1)).claim();
        // the first request wakes up late: its post must not commit, the taker's does
        assertThrows(ClaimTakenOverException.class, () -> stores.cache.messages().post(new NewMessage(CHAT, userId, "late", null), abandoned));
        assertEquals(0, messagesInMysql());
        long id = stores.cache.messages().post(new NewMessage(CHAT, userId, "taker", null), takenOver).id();
        // killed before recording the answer: a repeat learns the message from the key itself
        IdempotencyKeys.Posted posted = assertInstanceOf(IdempotencyKeys.Posted.class, keys.claim(userId, "slow", "r", t + 40_000));
        assertEquals(id, posted.messageId());
        assertEquals(1, messagesInMysql());
    }

    @Test
    void keysAreForgottenAfter24Hours() {
        IdempotencyKeys keys = stores.cache.messages().idempotencyKeys().orElseThrow();
        long userId = alice.user().id();
        long t = 5_000_000;
        IdempotencyClaim claim = assertInstanceOf(IdempotencyKeys.Claimed.class, keys.claim(userId, "old", "r", t)).claim();
        keys.answer(claim, 201, "{}");
        assertInstanceOf(IdempotencyKeys.OtherRequest.class, keys.claim(userId, "old", "r2", t + IdempotencyKeys.KEEP_MILLIS - 1),
                "within a day another request with the key is refused");
        assertInstanceOf(IdempotencyKeys.Answered.class, keys.claim(userId, "old", "r", t + 1));
        assertInstanceOf(IdempotencyKeys.Claimed.class, keys.claim(userId, "old", "r2", t + IdempotencyKeys.KEEP_MILLIS + 1),
                "a day later the key is new again");
        assertEquals(1, keys.expire(t + 2 * IdempotencyKeys.KEEP_MILLIS + 2, 100), "and expiry deletes it");
    }
}
