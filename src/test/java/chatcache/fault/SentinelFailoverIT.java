package chatcache.fault;

import chatcache.ChatCache;
import chatcache.core.BackendUnavailableException;
import chatcache.core.Message;
import chatcache.message.FetchResult;
import chatcache.message.NewMessage;
import chatcache.query.SearchCriteria;
import chatcache.user.Caller;
import chatcache.user.User;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.params.ClientKillParams;
import redis.clients.jedis.JedisSentinelPool;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * chatcache on a Redis primary found through Sentinel (README, "Redis Sentinel"): a replica that
 * does not acknowledge keeps what only Redis holds from being acknowledged outside it, and a
 * primary killed under load is followed to its promoted replica without a restart, losing no
 * message and no read mark a reader was answered with. Servers of its own: it kills them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SentinelFailoverIT {
    private static OwnServers mysql;
    private static OwnSentinel redis;
    private ChatCache cache;
    private final List<User> users = new ArrayList<>();

    @BeforeAll
    static void startServers() throws Exception {
        mysql = new OwnServers(false);
        redis = new OwnSentinel();
    }

    @AfterAll
    static void stopServers() throws Exception {
        try {
            if (redis != null) {
                redis.close();
            }
        } finally {
            if (mysql != null) {
                mysql.close();
            }
        }
    }

    @BeforeEach
    void openProgram() {
        Map<String, String> env = new HashMap<>(redis.env());
        env.put("CHATCACHE_DB_URL", mysql.jdbcUrl());
        env.put("CHATCACHE_DB_USER", "root");
        // why short: a page whose marks a frozen replica does not take is answered by MySQL after it
        env.put("CHATCACHE_REDIS_WAIT_TIMEOUT_MS", "300");
        cache = Load.openProgram(env, users);
    }

    @AfterEach
    void closeProgram() {
        cache.close();
    }

    private int followedPrimary() {
        return ((JedisSentinelPool) cache.redisPool()).getCurrentHostMaster().getPort();
    }

    @Test
    @Order(1)
    void whatOnlyRedisHoldsIsNotAcknowledgedUntilAReplicaHasIt() throws Exception {
        int primary = redis.primary();
        int replica = redis.replicaOf(primary);
        assertEquals(primary, followedPrimary(), "the program writes to the primary Sentinel names");
        User author = users.get(0);
        User reader = users.get(1);
        SearchCriteria chat = new SearchCriteria(7, Optional.empty(), 20);
        cache.messages().post(new NewMessage(7, author.id(), "before the freeze", null));
        // the first read of a chat Redis does not hold is MySQL's, and loads it
        Load.awaitAtLeast("Redis answering the chat", () -> "redis".equals(cache.messages().fetch(chat, Caller.of(reader)).source()) ? 1 : 0, 1);
        cache.readMarks().drain();
        cache.cacheRelay().drain();

        redis.freeze(replica);
        long freezeStart = System.nanoTime();
        Message posted;
        try {
            posted = cache.messages().post(new NewMessage(7, author.id(), "while the replica is frozen", null));
            FetchResult page = cache.messages().fetch(chat, Caller.of(reader));
            assertEquals("mysql", page.source(), "marks the replica did not take: MySQL answers and marks them itself");
            assertTrue(cache.mysqlMessages().load(List.of(posted.id())).get(0).read(), "the mark is in MySQL");
            assertThrows(BackendUnavailableException.class, () -> cache.cacheRelay().drain(),
                    "the outbox entry stays while no replica has the copy");
            assertTrue(cache.mysqlMessages().outboxSize() > 0, "the outbox entry stays while no replica has the copy");
            assertThrows(BackendUnavailableException.class, () -> cache.readMarks().drain(),
                    "marks Redis made stay in its stream while no replica has them");
            assertTrue(cache.readMarks().backlog() > 0, "marks Redis made stay in its stream while no replica has them");
        } finally {
            redis.thaw(replica);
        }
        System.out.printf("SentinelFailoverIT: replica frozen %d ms%n", (System.nanoTime() - freezeStart) / 1_000_000);
        redis.awaitInSync(primary);
        cache.readMarks().drain();
        cache.cacheRelay().drain();
        assertEquals(0, cache.mysqlMessages().outboxSize(), "once the replica has the copies, the outbox empties");
        assertEquals(0, cache.readMarks().backlog(), "once the replica has the marks, MySQL takes them");
        assertTrue(cache.redisMessages().getAll(posted.chatId(), List.of(posted.id())).get(posted.id()).read(), "the mark is in Redis too");
        assertEquals("redis", cache.messages().fetch(chat, Caller.of(reader)).source(), "Redis answers again");
    }

    @Test
    @Order(2)
    void aPrimaryKilledWhileItsReplicaLagsIsFollowedAndNothingIsLost() throws Exception {
        int primary = redis.primary();
        int replica = redis.replicaOf(primary);
        assertEquals(primary, followedPrimary());
        try (Load load = new Load(cache, users)) {
            Load.awaitAtLeast("writes before the fault", () -> load.acknowledged.size(), 150);
            Load.awaitAtLeast("read marks before the fault", () -> load.marked.size(), 20);
            // the replica falls behind for good: it cannot authenticate to its primary any more,
            // so what the primary takes from now on is on the primary alone
            try (Jedis r = redis.connect(replica); Jedis p = redis.connect(primary)) {
                r.configSet("masterauth", "wrong");
                p.clientKill(ClientKillParams.clientKillParams()
                        .type(ClientType.REPLICA));
            }
            Load.awaitAtLeast("the primary without its replica", () -> redis.connectedReplicas(primary) == 0 ? 1 : 0, 1);
            int lagging = load.acknowledged.size();
            int marksLagging = load.marked.size();
            Load.awaitAtLeast("writes the replica never gets", () -> load.acknowledged.size(), lagging + 50);
            Load.awaitAtLeast("read marks the replica never gets", () -> load.marked.size(), marksLagging + 10);

            redis.kill(primary);
            long killedAt = System.nanoTime();
            Load.awaitAtLeast("the lagging replica promoted and followed", () -> followedPrimary() == replica ? 1 : 0, 1);
            long followedMillis = (System.nanoTime() - killedAt) / 1_000_000;
            try (Jedis r = redis.connect(replica)) {
                r.configSet("masterauth", OwnSentinel.PASSWORD);
            }
            int after = load.acknowledged.size();
            Load.awaitAtLeast("writes while the new primary has no replica", () -> load.acknowledged.size(), after + 50);
            // the dead primary's host comes back, empty: Sentinel makes it the new primary's replica
            redis.restart(primary);
            Load.awaitAtLeast("a replica for the new primary", () -> redis.connectedReplicas(replica) >= 1 ? 1 : 0, 1);
            redis.awaitInSync(replica);
            int readsAfter = load.reads.get();
            int marksAfter = load.marked.size();
            int writesAfter = load.acknowledged.size();
            Load.awaitAtLeast("writes with a replica again", () -> load.acknowledged.size(), writesAfter + 50);
            Load.awaitAtLeast("reads after the failover", () -> load.reads.get(), readsAfter + 20);
            Load.awaitAtLeast("read marks after the failover", () -> load.marked.size(), marksAfter + 5);
            load.close();
            System.out.printf("SentinelFailoverIT: the program followed the promoted (lagging) replica %d ms after the kill%n",
                    followedMillis);
            load.assertNothingLost("SentinelFailoverIT: primary killed while its replica lagged, replica promoted", false);
        }
        assertEquals(replica, redis.primary(), "Sentinel promoted the replica");
        assertEquals("redis", cache.messages().fetch(new SearchCriteria(1, Optional.empty(), 20), Caller.of(users.get(0))).source(),
                "the promoted replica answers pages");
    }
}
