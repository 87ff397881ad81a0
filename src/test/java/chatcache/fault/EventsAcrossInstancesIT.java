package chatcache.fault;

import chatcache.Config;
import chatcache.user.Authenticator;
import chatcache.user.Role;
import chatcache.web.EventStreamClient;
import chatcache.web.WebApp;
import io.javalin.Javalin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Live events over two instances and a Redis of this test's own: a post on one reaches a client
 * of the other; Redis killed mid-stream pauses the stream, and once Redis is back (with its data)
 * it resumes with the post made meanwhile, which the outbox relay brought to Redis; Redis back
 * empty means a rebuilt cache and a reset.
 */
class EventsAcrossInstancesIT extends WithOwnServers {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private TwoInstances instances;
    private Authenticator.Issued owner;
    private long chat;

    @BeforeEach
    void openInstances() {
        instances = TwoInstances.open(Config.fromEnv(env()), WebApp::create);
        owner = instances.first.authenticator().issue("owner", Role.USER);
        HttpResponse<String> created = send(instances.firstApp, "POST", "/chats", "{\"visibility\": \"public\", \"title\": \"events\"}");
        assertEquals(201, created.statusCode(), created.body());
        chat = Long.parseLong(created.body().replaceAll(".*\"id\":(\\d+).*", "$1"));
    }

    @AfterEach
    void closeInstances() {
        instances.close();
    }

    private HttpResponse<String> send(Javalin app, String method, String path, String body) {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + owner.token())
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private long post(Javalin app, String text) {
        HttpResponse<String> r = send(app, "POST", "/chat/" + chat + "/message", "{\"message\": \"" + text + "\"}");
        assertEquals(201, r.statusCode(), r.body());
        return Long.parseLong(r.body().replaceAll(".*\"id\":(\\d+).*", "$1"));
    }

    private EventStreamClient follow(Javalin app) {
        EventStreamClient c = EventStreamClient.open(http, URI.create("http://127.0.0.1:" + app.port()), "/chat/" + chat + "/events", null, null);
        assertEquals(200, c.status, c.errorBody);
        return c;
    }

    @Test
    void aPostOnOneInstanceReachesAFollowerOfTheOther() {
        try (EventStreamClient follower = follow(instances.secondApp)) {
            long id = post(instances.firstApp, "from the first");
            assertEquals(id, follower.next("message.created", WAIT).json().get("id").longValue());
        }
    }

    @Test
    void redisRestartedMidStreamPausesThenResumesWithWhatWasPostedMeanwhile() throws Exception {
        assumeOwnRedis();
        try (EventStreamClient follower = follow(instances.secondApp)) {
            long before = post(instances.firstApp, "before");
            assertEquals(before, follower.next("message.created", WAIT).json().get("id").longValue());
            servers.killRedis();
            assertEquals("paused", follower.next(WAIT).event());
            long during = post(instances.firstApp, "while Redis is down"); // in MySQL; its outbox row waits for Redis
            servers.startRedis(true);
            assertEquals("resumed", follower.next(WAIT).event());
            EventStreamClient.Event late = follower.next("message.created", WAIT);
            assertEquals(during, late.json().get("id").longValue(), "the post made meanwhile, once, when it reached Redis");
            long after = post(instances.firstApp, "after");
            assertEquals(after, follower.next("message.created", WAIT).json().get("id").longValue(), "and no repeat before the next");
        }
    }

    @Test
    void redisBackEmptyMeansARebuiltCacheAndAReset() throws Exception {
        assumeOwnRedis();
        try (EventStreamClient follower = follow(instances.secondApp)) {
            post(instances.firstApp, "before");
            follower.next("message.created", WAIT);
            servers.killRedis();
            assertEquals("paused", follower.next(WAIT).event());
            servers.startRedis(false);
            // the guard rebuilds the cache from MySQL: a new epoch, so the client must fetch its page again
            EventStreamClient.Event next = follower.next(WAIT);
            assertEquals("reset", next.event(), next.toString());
            long after = post(instances.firstApp, "after");
            assertEquals(after, follower.next("message.created", WAIT).json().get("id").longValue());
        }
    }
}
