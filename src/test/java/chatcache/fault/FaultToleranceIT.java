package chatcache.fault;

import chatcache.ChatCache;
import chatcache.message.MessageService;
import chatcache.user.User;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults on real servers under a write and read load: Redis killed with SIGKILL and restarted
 * empty or with its data, MySQL stopped and started. After each, both stores must agree (verify
 * finds no drift), every acknowledged message must be in both, and every read mark a reader was
 * answered with must be in both (except, after Redis lost its data, marks it held alone).
 */
class FaultToleranceIT extends WithOwnServers {
    private ChatCache cache;
    private final List<User> users = new ArrayList<>();

    @BeforeEach
    void openProgram() throws Exception {
        cache = Load.openProgram(env(), users);
    }

    @AfterEach
    void closeProgram() {
        cache.close();
    }

    @Test
    void redisKilledAndRestartedEmptyLosesNoMessage() throws Exception {
        assumeOwnRedis();
        try (Load load = new Load(cache, users)) {
            Load.awaitAtLeast("writes before the fault", () -> load.acknowledged.size(), 150);
            servers.killRedis();
            int before = load.acknowledged.size();
            Load.awaitAtLeast("writes while Redis is down", () -> load.acknowledged.size(), before + 50);
            servers.startRedis(false);
            Load.awaitAtLeast("a rebuilt cache", () -> Boolean.TRUE.equals(cache.health().cacheComplete()) ? 1 : 0, 1);
            int after = load.acknowledged.size();
            Load.awaitAtLeast("writes after Redis is back", () -> load.acknowledged.size(), after + 50);
            Load.awaitAtLeast("reads after Redis is back", () -> load.reads.get(), load.reads.get() + 20);
            load.close();
            load.assertNothingLost("kill -9 Redis, restart empty", true);
        }
    }

    @Test
    void redisKilledAndRestartedWithItsDataLosesNothing() throws Exception {
        assumeOwnRedis();
        try (Load load = new Load(cache, users)) {
            Load.awaitAtLeast("writes before the fault", () -> load.acknowledged.size(), 150);
            servers.killRedis();
            int before = load.acknowledged.size();
            Load.awaitAtLeast("writes while Redis is down", () -> load.acknowledged.size(), before + 50);
            servers.startRedis(true);
            int after = load.acknowledged.size();
            Load.awaitAtLeast("writes after Redis is back", () -> load.acknowledged.size(), after + 50);
            Load.awaitAtLeast("reads after Redis is back", () -> load.reads.get(), load.reads.get() + 20);
            load.close();
            load.assertNothingLost("kill -9 Redis, restart with data", false);
        }
    }

    @Test
    void mysqlStoppedForAWhileLosesNothing() throws Exception {
        try (Load load = new Load(cache, users)) {
            Load.awaitAtLeast("writes before the fault", () -> load.acknowledged.size(), 150);
            servers.stopMysql();
            int readsBefore = load.reads.get();
            Load.awaitAtLeast("Redis-route reads while MySQL is down", () -> load.reads.get(), readsBefore + 20);
            Load.awaitAtLeast("failed writes while MySQL is down", () -> load.failedWrites.get(), 2);
            servers.startMysql();
            int after = load.acknowledged.size();
            Load.awaitAtLeast("writes after MySQL is back", () -> load.acknowledged.size(), after + 50);
            load.close();
            assertTrue(load.failedWrites.get() > 0, "writes fail while MySQL is down");
            load.assertNothingLost("MySQL stopped and started", false);
        }
    }

    /** Stands for the process ending between the MySQL commit and the Redis write. */
    static final class Died extends RuntimeException {
        Died() {
            super("died after the commit");
        }
    }

    @Test
    void writersDyingBetweenTheCommitAndTheRedisWriteLoseNothing() throws Exception {
        AtomicInteger commits = new AtomicInteger();
        Set<Long> diedAfterCommit = ConcurrentHashMap.newKeySet();
        MessageService dyingEveryFifth = new MessageService(Clock.systemUTC(), cache.mysqlMessages(), cache.redisMessages(),
                cache.replication().requestCopies(), cache.mysqlMessages(), cache.redisMessages(), committed -> {
                    if (commits.incrementAndGet() % 5 == 0) {
                        diedAfterCommit.add(committed.id());
                        throw new Died();
                    }
                });
        try (Load load = new Load(cache, users, dyingEveryFifth)) {
            Load.awaitAtLeast("deaths after a commit", diedAfterCommit::size, 60);
            load.close();
            // what died was committed, never acknowledged, and must still reach both stores
            load.assertNothingLost("death between commit and Redis write", false);
            List<Long> died = new ArrayList<>(diedAfterCommit);
            assertEquals(died.size(), cache.mysqlMessages().load(died).size());
            assertEquals(died.size(), chatcache.support.RedisCopies.of(cache, died).size());
            System.out.printf("FaultToleranceIT: %d writers died after their commit; all %d messages are in both stores%n",
                    died.size(), died.size());
        }
    }
}
