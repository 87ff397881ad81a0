package chatcache.fault;

import chatcache.ChatCache;
import chatcache.Config;
import chatcache.mysql.MySqlUsers;
import chatcache.redis.RedisTokens;
import chatcache.user.Authenticator;
import chatcache.user.Role;
import chatcache.web.WebApp;
import io.javalin.Javalin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.Pool;

import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two app instances over the same MySQL and Redis (servers of this test's own, which it stops
 * and kills): a revoked token is refused by both within a second, also when it was remembered
 * (the cached token path), while Redis is down, and on the Redis route while MySQL is down; a
 * membership change made through one instance holds on the other at once.
 */
class TwoInstancesIT extends WithOwnServers {
    private static final long WITHIN_MILLIS = 1_000;

    private TwoInstances instances;
    private Authenticator.Issued owner;
    private Authenticator.Issued member;
    private long chat;

    private static Config config() {
        return Config.fromEnv(env());
    }

    @BeforeEach
    void openInstances() throws Exception {
        instances = TwoInstances.open(config(), c -> WebApp.create(c.messages(), c.chats(), c.authenticator(), c::health));
        owner = instances.first.authenticator().issue("owner", Role.USER);
        member = instances.first.authenticator().issue("member", Role.USER);
        HttpResponse<String> created = send(instances.firstApp, "POST", "/chats", owner, "{\"visibility\": \"private\", \"title\": \"two\"}");
        assertEquals(201, created.statusCode(), created.body());
        chat = Long.parseLong(created.body().replaceAll(".*\"id\":(\\d+).*", "$1"));
        assertEquals(204, send(instances.firstApp, "PUT", "/chat/" + chat + "/members/" + member.user().id(), owner, null).statusCode());
        assertEquals(201, send(instances.secondApp, "POST", "/chat/" + chat + "/message", member, "{\"message\": \"hi\"}").statusCode());
    }

    @AfterEach
    void closeInstances() {
        instances.close();
    }

    /** A read of the private chat by the member, on one instance. */
    private int read(Javalin app) {
        return send(app, "POST", "/chat/" + chat + "/messages", member, null).statusCode();
    }

    /** Revokes the member's token as `chatcache users revoke` does: a process of its own, with its own pools. */
    private void revokeLikeTheCli() {
        try (chatcache.mysql.Database db = chatcache.mysql.Database.open(servers.jdbcUrl(), "root", "");
             chatcache.rediskit.Redis redis = ChatCache.connectRedis(config())) { // as App.Users does
            new Authenticator(new MySqlUsers(db.sessionFactory()), new RedisTokens(redis, ChatCache.groupsOf(config())), Clock.systemUTC())
                    .revoke(member.user().id(), null);
        }
    }

    /** Milliseconds until both instances refuse the member's token (401), at most a few seconds. */
    private long millisUntilBothRefuse(long since) {
        boolean[] refused = new boolean[2];
        return millisUntil(() -> {
            refused[0] = refused[0] || read(instances.firstApp) == 401;
            refused[1] = refused[1] || read(instances.secondApp) == 401;
            return refused[0] && refused[1];
        }, since);
    }

    @Test
    void aRevokedTokenThatBothInstancesRememberIsRefusedByBothWithinASecond() {
        assertEquals(200, read(instances.firstApp));
        assertEquals(200, read(instances.secondApp)); // both now remember the token for a minute
        long started = System.nanoTime();
        revokeLikeTheCli();
        long millis = millisUntilBothRefuse(started);
        assertTrue(millis <= WITHIN_MILLIS, "refused by both after " + millis + " ms");
        // and it stays refused
        for (int i = 0; i < 10; i++) {
            assertEquals(401, read(instances.firstApp));
            assertEquals(401, read(instances.secondApp));
        }
    }

    @Test
    void aTokenRevokedWhileRedisIsDownIsRefusedAndStaysRefusedWhenRedisComesBackWithOlderData() throws Exception {
        assumeOwnRedis();
        assertEquals(200, read(instances.firstApp));
        assertEquals(200, read(instances.secondApp));
        servers.killRedis();
        long started = System.nanoTime();
        revokeLikeTheCli(); // Redis unreachable: MySQL only
        long millis = millisUntilBothRefuse(started);
        assertTrue(millis <= WITHIN_MILLIS, "refused by both after " + millis + " ms with Redis down");
        // Redis back with its data: its replica still holds the token until an instance applies the revocation
        servers.startRedis(true);
        long back = System.nanoTime();
        awaitUntil("the replica drops the revoked token", () -> {
            try (Pool<Jedis> pool = ChatCache.redisPool(config().redis()); var jedis = pool.getResource()) {
                return !jedis.hexists(RedisTokens.hashOf(chatcache.redis.ChatGroups.withCount(config().tunables().cache().indexGroups())),
                        chatcache.user.Tokens.hash(member.token()));
            }
        });
        long applied = (System.nanoTime() - back) / 1_000_000;
        assertTrue(applied <= WITHIN_MILLIS + 2_000, "Redis's copy caught up " + applied + " ms after it came back"
                + " (reconnect included)");
        for (int i = 0; i < 10; i++) {
            assertEquals(401, read(instances.firstApp));
            assertEquals(401, read(instances.secondApp));
        }
    }

    @Test
    void aTokenRevokedBeforeMySqlWentDownIsRefusedOnTheRedisRoute() throws Exception {
        assertEquals(200, read(instances.firstApp));
        assertEquals(200, read(instances.secondApp));
        long started = System.nanoTime();
        revokeLikeTheCli();
        servers.stopMysql();
        try {
            long millis = millisUntilBothRefuse(started);
            assertTrue(millis <= WITHIN_MILLIS + 2_000, "refused by both after " + millis + " ms");
            // the Redis route still serves those who may read: the owner, from Redis
            HttpResponse<String> ownerRead = send(instances.secondApp, "POST", "/chat/" + chat + "/messages", owner, null);
            assertEquals(200, ownerRead.statusCode(), ownerRead.body());
            assertTrue(ownerRead.body().contains("\"source\":\"redis\""), ownerRead.body());
        } finally {
            servers.startMysql();
        }
    }

    @Test
    void readinessFollowsWhetherAnyStoreCanServeAndLivenessDoesNot() throws Exception {
        assumeOwnRedis();
        assertEquals(200, send(instances.firstApp, "GET", "/health/ready", null, null).statusCode());
        servers.killRedis();
        try {
            HttpResponse<String> mysqlOnly = send(instances.firstApp, "GET", "/health/ready", null, null);
            assertEquals(200, mysqlOnly.statusCode(), "MySQL serves reads: " + mysqlOnly.body());
            assertEquals(503, send(instances.firstApp, "GET", "/health", null, null).statusCode(), "/health keeps its detail");
            servers.stopMysql();
            try {
                HttpResponse<String> none = send(instances.firstApp, "GET", "/health/ready", null, null);
                assertEquals(503, none.statusCode(), none.body());
                assertEquals("{\"status\":\"not ready\",\"mysql\":false,\"redis\":false}", none.body());
                assertEquals(200, send(instances.firstApp, "GET", "/health/live", null, null).statusCode());
            } finally {
                servers.startMysql();
            }
        } finally {
            servers.startRedis(true);
        }
        awaitUntil("ready again", () -> send(instances.firstApp, "GET", "/health/ready", null, null).statusCode() == 200);
    }

    @Test
    void aMembershipChangeThroughOneInstanceHoldsOnTheOtherWithinASecond() {
        assertEquals(200, read(instances.secondApp)); // the second remembers the member's access now
        long started = System.nanoTime();
        assertEquals(204, send(instances.firstApp, "DELETE", "/chat/" + chat + "/members/" + member.user().id(), owner, null).statusCode());
        assertEquals(404, read(instances.firstApp), "at once where it was made");
        long millis = millisUntil(() -> read(instances.secondApp) == 404, started);
        assertTrue(millis <= WITHIN_MILLIS, "the other refused after " + millis + " ms");
        assertEquals(404, send(instances.secondApp, "POST", "/chat/" + chat + "/message", member, "{\"message\": \"still?\"}").statusCode());
        started = System.nanoTime();
        assertEquals(204, send(instances.secondApp, "PUT", "/chat/" + chat + "/members/" + member.user().id(), owner, null).statusCode());
        millis = millisUntil(() -> read(instances.firstApp) == 200, started);
        assertTrue(millis <= WITHIN_MILLIS, "the other admitted after " + millis + " ms");
    }

    /** Milliseconds from {@code since} until the condition holds, trying for at most a few seconds. */
    private static long millisUntil(java.util.function.BooleanSupplier condition, long since) {
        while (!condition.getAsBoolean()) {
            if ((System.nanoTime() - since) / 1_000_000 > 5 * WITHIN_MILLIS) {
                throw new AssertionError("not within " + 5 * WITHIN_MILLIS + " ms");
            }
            LockSupport.parkNanos(5_000_000);
        }
        return (System.nanoTime() - since) / 1_000_000;
    }

    private static HttpResponse<String> send(Javalin app, String method, String path, Authenticator.Issued who, String body) {
        return Requests.send("http://127.0.0.1:" + app.port(), method, path, who, body);
    }

    private static void awaitUntil(String what, java.util.function.BooleanSupplier done) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try {
                if (done.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                // a store still coming up
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            LockSupport.parkNanos(20_000_000);
        }
    }
}
