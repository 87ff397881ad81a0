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

/**
 * Writers and readers on three chats of a program under a fault; what was acknowledged (messages
 * posted, read marks a reader was answered with) is recorded, and checked against both stores after.
 */
final class Load implements AutoCloseable {
    final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
    final Set<Long> marked = ConcurrentHashMap.newKeySet();
    final AtomicInteger failedWrites = new AtomicInteger();
    final AtomicInteger failedReads = new AtomicInteger();
    final AtomicInteger reads = new AtomicInteger();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final ChatCache cache;
    private final List<User> users;

    /**
     * A program on these settings with its relays running, once Redis holds a complete copy;
     * {@code users} is refilled with three users of it.
     */
    static ChatCache openProgram(Map<String, String> env, List<User> users) {
        ChatCache cache = ChatCache.open(Config.fromEnv(env), Clock.systemUTC());
        cache.startRelays();
        users.clear();
        for (int i = 0; i < 3; i++) {
            users.add(cache.authenticator().issue("u" + i, Role.USER).user());
        }
        awaitAtLeast("a complete cache", () -> Boolean.TRUE.equals(cache.health().cacheComplete()) ? 1 : 0, 1);
        return cache;
    }

    /** Starts two writers and two readers through the program's own message service. */
    Load(ChatCache cache, List<User> users) {
        this(cache, users, cache.messages());
    }

    /** @param writes the service the writers post through (one that "dies" for some tests) */
    Load(ChatCache cache, List<User> users, MessageService writes) {
        this.cache = cache;
        this.users = List.copyOf(users);
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

    /** Waits for a count to reach a value (a condition, polled), failing after a minute. */
    static void awaitAtLeast(String what, IntSupplier count, int target) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (count.getAsInt() < target) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + ": " + count.getAsInt() + " of " + target);
            }
            LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        }
    }

    /**
     * Edits and deletes {@code count} of the messages posted (after {@link #close}), by their
     * authors through the program's service; those deleted are no longer expected anywhere.
     */
    void editAndDelete(int count) {
        List<Message> posted = cache.mysqlMessages().load(new ArrayList<>(acknowledged));
        for (int i = 0; i < count; i++) {
            Message m = posted.get(i * 7 % posted.size());
            User author = users.stream().filter(u -> u.id() == m.userId()).findFirst().orElseThrow();
            if (i % 2 == 0) {
                cache.messages().edit(m.chatId(), m.id(), "edited " + i, author, true);
            } else {
                cache.messages().delete(m.chatId(), m.id(), author);
                acknowledged.remove(m.id());
                marked.remove(m.id());
            }
        }
    }

    /**
     * Two writers and two readers until 300 posts and 200 pages, then 30 edits and deletes and a
     * full rebuild, then both stores checked ({@link #assertNothingLost}); the load, stopped.
     */
    static Load postEditRebuildAndCheck(ChatCache cache, List<User> users, String what) throws InterruptedException {
        Load load = new Load(cache, users);
        awaitAtLeast("posts", load.acknowledged::size, 300);
        awaitAtLeast("pages", load.reads::get, 200);
        load.close();
        load.editAndDelete(30);
        cache.rebuild().rebuild(Optional.empty(), CacheRebuild.Progress.NONE);
        load.assertNothingLost(what, false);
        return load;
    }

    /** Lets every relay and, if needed, a rebuild finish, then checks both stores. */
    void assertNothingLost(String fault, boolean redisLostData) {
        if (!cache.cacheState().holdsAll()) {
            cache.rebuild().rebuild(Optional.empty(), CacheRebuild.Progress.NONE);
        }
        cache.readMarks().drain();
        cache.cacheRelay().drain();
        List<String> drift = cache.rebuild().verify(Optional.empty(), CacheRebuild.Progress.NONE);
        assertEquals(List.of(), drift, fault + ": verify");

        List<Long> acked = new ArrayList<>(acknowledged);
        Set<Long> inMysql = ConcurrentHashMap.newKeySet();
        cache.mysqlMessages().load(acked).forEach(m -> inMysql.add(m.id()));
        Map<Long, Message> inRedis = chatcache.support.RedisCopies.of(cache, acked);
        List<Long> marks = new ArrayList<>(marked);
        long marksInMysql = cache.mysqlMessages().load(marks).stream().filter(Message::read).count();
        long marksInRedis = chatcache.support.RedisCopies.of(cache, marks).values().stream().filter(Message::read).count();
        System.out.printf("%s: %d messages acknowledged, %d in MySQL, %d in Redis; %d read marks answered, "
                        + "%d in MySQL, %d in Redis; %d reads; %d writes and %d reads failed during the fault%n",
                fault, acked.size(), inMysql.size(), inRedis.size(), marks.size(), marksInMysql, marksInRedis,
                reads.get(), failedWrites.get(), failedReads.get());
        assertEquals(acked.size(), inMysql.size(), fault + ": acknowledged messages in MySQL");
        assertEquals(acked.size(), inRedis.size(), fault + ": acknowledged messages in Redis");
        if (!redisLostData) {
            assertEquals(marks.size(), marksInMysql, fault + ": read marks in MySQL");
        }
        assertEquals(marksInMysql, marksInRedis, fault + ": read marks agree");
    }
}
