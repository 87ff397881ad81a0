package chatcache.fault;

import chatcache.ChatCache;
import chatcache.Config;
import chatcache.core.Message;
import chatcache.message.FetchResult;
import chatcache.message.MessageService;
import chatcache.message.NewMessage;
import chatcache.query.SearchCriteria;
import chatcache.replication.CacheRebuild;
import chatcache.user.Caller;
import chatcache.user.Role;
import chatcache.user.User;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;

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
        cache = ChatCache.open(Config.fromEnv(env()), Clock.systemUTC());
        cache.startRelays();
        users.clear();
        for (int i = 0; i < 3; i++) {
            users.add(cache.authenticator().issue("u" + i, Role.USER).user());
        }
        awaitAtLeast("a complete cache", () -> Boolean.TRUE.equals(cache.health().cacheComplete()) ? 1 : 0, 1);
    }

    @AfterEach
    void closeProgram() {
        cache.close();
    }

    /** Writers and readers on three chats; what was acknowledged is recorded. */
    private final class Load implements AutoCloseable {
        final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
        final Set<Long> marked = ConcurrentHashMap.newKeySet();
        final AtomicInteger failedWrites = new AtomicInteger();
        final AtomicInteger failedReads = new AtomicInteger();
        final AtomicInteger reads = new AtomicInteger();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();

        Load() {
            this(cache.messages());
        }

        /** @param writes the service the writers post through (one that "dies" for some tests) */
        Load(MessageService writes) {
            for (int w = 0; w < 2; w++) {
                int seed = w;
                threads.add(start(() -> {
                    for (int i = 0; running.get() && i < 100_000; i++) {
                        User author = users.get((i + seed) % users.size());
                        try {
                            Message m = writes.post(new NewMessage(1 + i % 3, author.id(), "load " + seed + "/" + i, null));
                            acknowledged.add(m.id());
                        } catch (RuntimeException e) {
                            failedWrites.incrementAndGet();
                            LockSupport.parkNanos(Duration.ofMillis(20).toNanos()); // pace retries while a store is down
                        }
                    }
                }));
            }
            for (int r = 0; r < 2; r++) {
                int seed = r;
                threads.add(start(() -> {
                    for (int i = 0; running.get() && i < 100_000; i++) {
                        User reader = users.get((i + seed) % users.size());
                        try {
                            FetchResult page = cache.messages().fetch(new SearchCriteria(1 + i % 3, Optional.empty(), 20), Caller.of(reader));
                            page.messages().stream().filter(m -> !m.read() && m.userId() != reader.id()).forEach(m -> marked.add(m.id()));
                            reads.incrementAndGet();
                        } catch (RuntimeException e) {
                            failedReads.incrementAndGet();
                            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
                        }
                    }
                }));
            }
        }

        private Thread start(Runnable work) {
            Thread t = new Thread(work, "load");
            t.start();
            return t;
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join();
            }
        }
    }

    /** Waits for a count to reach a value (a condition, polled), failing after a minute. */
    private static void awaitAtLeast(String what, IntSupplier count, int target) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (count.getAsInt() < target) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + ": " + count.getAsInt() + " of " + target);
            }
            LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        }
    }

    /** Lets every relay and, if needed, a rebuild finish, then checks both stores. */
    private void assertNothingLost(String fault, Load load, boolean redisLostData) {
        if (!cache.cacheState().holdsAll()) {
            cache.rebuild().rebuild(Optional.empty(), CacheRebuild.Progress.NONE);
        }
        cache.readMarks().drain();
        cache.cacheRelay().drain();
        List<String> drift = cache.rebuild().verify(Optional.empty(), CacheRebuild.Progress.NONE);
        assertEquals(List.of(), drift, fault + ": verify");

        List<Long> acked = new ArrayList<>(load.acknowledged);
        Set<Long> inMysql = ConcurrentHashMap.newKeySet();
        cache.mysqlMessages().load(acked).forEach(m -> inMysql.add(m.id()));
        Map<Long, Message> inRedis = cache.redisMessages().getAll(acked);
        List<Long> marks = new ArrayList<>(load.marked);
        long marksInMysql = cache.mysqlMessages().load(marks).stream().filter(Message::read).count();
        long marksInRedis = cache.redisMessages().getAll(marks).values().stream().filter(Message::read).count();
        System.out.printf("FaultToleranceIT %s: %d messages acknowledged, %d in MySQL, %d in Redis; %d read marks answered, "
                        + "%d in MySQL, %d in Redis; %d reads; %d writes and %d reads failed during the fault%n",
                fault, acked.size(), inMysql.size(), inRedis.size(), marks.size(), marksInMysql, marksInRedis,
                load.reads.get(), load.failedWrites.get(), load.failedReads.get());
        assertEquals(acked.size(), inMysql.size(), fault + ": acknowledged messages in MySQL");
        assertEquals(acked.size(), inRedis.size(), fault + ": acknowledged messages in Redis");
        if (!redisLostData) {
            assertEquals(marks.size(), marksInMysql, fault + ": read marks in MySQL");
        }
        assertEquals(marksInMysql, marksInRedis, fault + ": read marks agree");
    }

    @Test
    void redisKilledAndRestartedEmptyLosesNoMessage() throws Exception {
        try (Load load = new Load()) {
            awaitAtLeast("writes before the fault", () -> load.acknowledged.size(), 150);
            servers.killRedis();
            int before = load.acknowledged.size();
            awaitAtLeast("writes while Redis is down", () -> load.acknowledged.size(), before + 50);
            servers.startRedis(false);
            awaitAtLeast("a rebuilt cache", () -> Boolean.TRUE.equals(cache.health().cacheComplete()) ? 1 : 0, 1);
            int after = load.acknowledged.size();
            awaitAtLeast("writes after Redis is back", () -> load.acknowledged.size(), after + 50);
            awaitAtLeast("reads after Redis is back", () -> load.reads.get(), load.reads.get() + 20);
            load.close();
            assertNothingLost("kill -9 Redis, restart empty", load, true);
        }
    }

    @Test
    void redisKilledAndRestartedWithItsDataLosesNothing() throws Exception {
        try (Load load = new Load()) {
            awaitAtLeast("writes before the fault", () -> load.acknowledged.size(), 150);
            servers.killRedis();
            int before = load.acknowledged.size();
            awaitAtLeast("writes while Redis is down", () -> load.acknowledged.size(), before + 50);
            servers.startRedis(true);
            int after = load.acknowledged.size();
            awaitAtLeast("writes after Redis is back", () -> load.acknowledged.size(), after + 50);
            awaitAtLeast("reads after Redis is back", () -> load.reads.get(), load.reads.get() + 20);
            load.close();
            assertNothingLost("kill -9 Redis, restart with data", load, false);
        }
    }

    @Test
    void mysqlStoppedForAWhileLosesNothing() throws Exception {
        try (Load load = new Load()) {
            awaitAtLeast("writes before the fault", () -> load.acknowledged.size(), 150);
            servers.stopMysql();
            int readsBefore = load.reads.get();
            awaitAtLeast("Redis-route reads while MySQL is down", () -> load.reads.get(), readsBefore + 20);
            awaitAtLeast("failed writes while MySQL is down", () -> load.failedWrites.get(), 2);
            servers.startMysql();
            int after = load.acknowledged.size();
            awaitAtLeast("writes after MySQL is back", () -> load.acknowledged.size(), after + 50);
            load.close();
            assertTrue(load.failedWrites.get() > 0, "writes fail while MySQL is down");
            assertNothingLost("MySQL stopped and started", load, false);
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
        try (Load load = new Load(dyingEveryFifth)) {
            awaitAtLeast("deaths after a commit", diedAfterCommit::size, 60);
            load.close();
            // what died was committed, never acknowledged, and must still reach both stores
            assertNothingLost("death between commit and Redis write", load, false);
            List<Long> died = new ArrayList<>(diedAfterCommit);
            assertEquals(died.size(), cache.mysqlMessages().load(died).size());
            assertEquals(died.size(), cache.redisMessages().getAll(died).size());
            System.out.printf("FaultToleranceIT: %d writers died after their commit; all %d messages are in both stores%n",
                    died.size(), died.size());
        }
    }
}
