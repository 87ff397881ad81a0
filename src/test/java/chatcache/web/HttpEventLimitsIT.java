package chatcache.web;

import chatcache.events.EventSettings;
import chatcache.support.TestStores;
import chatcache.user.Authenticator;
import chatcache.user.Role;
import io.javalin.Javalin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #21, item 2: the instance's cap on event streams holds after any mix of refusals, and
 * {@code chatcache_events_streams} is never below 0 nor other than the streams really open.
 * Anonymous streams from several client addresses (127.0.0.x), against an app whose cap is 20
 * streams, 8 per caller.
 */
@ExtendWith(OpenApiConformance.class)
class HttpEventLimitsIT {
    private static final int CAP = 20;
    private static final int PER_CALLER = 8;
    private static final Pattern STREAMS = Pattern.compile("^chatcache_events_streams (\\S+)$", Pattern.MULTILINE);

    private final TestStores stores = TestStores.get();
    private final List<EventStreamClient> open = new ArrayList<>();
    private Javalin app;
    private URI base;
    private long chat;

    @BeforeEach
    void start() {
        stores.reset();
        EventSettings events = ApiClient.EVENTS.withMaxConnections(CAP, PER_CALLER);
        app = WebApp.create(stores.cache, HttpLimits.DEFAULT, chatcache.ratelimit.RateLimiter.OFF, events).start("127.0.0.1", 0);
        base = URI.create("http://127.0.0.1:" + app.port());
        Authenticator.Issued owner = stores.user("owner", Role.USER);
        ApiClient.Reply created = ApiClient.send(client(1), base, "POST", "/chats", ApiClient.bearer(owner),
                "{\"visibility\": \"public\", \"title\": \"streams\"}");
        assertEquals(201, created.status(), created.body());
        chat = created.json().get("id").longValue();
    }

    @AfterEach
    void stop() {
        open.forEach(EventStreamClient::close);
        if (app != null) {
            app.stop();
        }
    }

    @Test
    void refusalsOfOneCallerDoNotRaiseTheInstancesCap() {
        // the report: 58 from one address, then 70 from others
        int admitted = 0;
        int refusedForCaller = 0;
        for (int i = 0; i < 58; i++) {
            EventStreamClient c = follow(1);
            if (c.status == 200) {
                admitted++;
            } else {
                assertEquals(429, c.status, c.errorBody);
                refusedForCaller++;
            }
        }
        assertEquals(PER_CALLER, admitted);
        assertEquals(50, refusedForCaller);
        assertEquals(PER_CALLER, gauge(), "the gauge counts the streams open, not the refusals");
        int refusedForInstance = 0;
        for (int i = 0; i < 70; i++) {
            EventStreamClient c = follow(2 + i);
            if (c.status == 200) {
                admitted++;
            } else {
                assertEquals(503, c.status, c.errorBody);
                refusedForInstance++;
            }
        }
        assertEquals(CAP, admitted, "the cap holds");
        assertEquals(70 - (CAP - PER_CALLER), refusedForInstance);
        assertEquals(CAP, gauge());
    }

    @Test
    void anyMixOfRefusalsAndClosesLeavesTheCapAndTheGaugeExact() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        for (int step = 0; step < 150; step++) {
            if (!open.isEmpty() && random.nextInt(4) == 0) {
                open.remove(random.nextInt(open.size())).close();
            } else {
                follow(1 + random.nextInt(4)); // four addresses: refusals per caller and per instance both happen
            }
            double streams = gauge();
            assertTrue(streams >= 0 && streams <= CAP, "seed " + seed + ", step " + step + ": gauge " + streams);
            long ok = open.stream().filter(c -> c.status == 200).count();
            assertTrue(streams >= ok, "seed " + seed + ", step " + step + ": gauge " + streams + " below the " + ok + " open");
        }
        // every stream closed: the places come back (the server notices at its next heartbeat)
        open.forEach(EventStreamClient::close);
        open.clear();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (gauge() != 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // polling a condition, with a deadline
        }
        assertEquals(0, gauge(), "seed " + seed + ": every place came back");
        // and the cap is the cap: exactly CAP more streams, from callers with room
        int admitted = 0;
        for (int i = 0; i < CAP + 5; i++) {
            if (follow(10 + i % 5).status == 200) {
                admitted++;
            }
        }
        assertEquals(CAP, admitted, "seed " + seed);
        assertEquals(CAP, gauge(), "seed " + seed);
    }

    private EventStreamClient follow(int address) {
        EventStreamClient c = EventStreamClient.open(client(address), base, "/chat/" + chat + "/events", null, null);
        open.add(c);
        return c;
    }

    /** A client whose connections come from 127.0.0.N. */
    private static HttpClient client(int n) {
        try {
            return HttpClient.newBuilder().localAddress(InetAddress.getByName("127.0.0." + n))
                    .connectTimeout(Duration.ofSeconds(5)).build();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private double gauge() {
        String metrics = ApiClient.send(client(250), base, "GET", "/metrics", null, null).body();
        Matcher m = STREAMS.matcher(metrics);
        assertTrue(m.find(), metrics);
        return Double.parseDouble(m.group(1));
    }
}
