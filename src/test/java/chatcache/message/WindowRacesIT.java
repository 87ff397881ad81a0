package chatcache.message;

import chatcache.core.Message;
import chatcache.query.SearchCriteria;
import chatcache.replication.CacheRebuild;
import chatcache.support.Seeds;
import chatcache.support.TestStores;
import chatcache.user.Caller;
import chatcache.user.Role;
import chatcache.user.User;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two instances over the same stores, with windows of 10: posts, edits, deletes and marking reads
 * while chats are evicted and loaded again by either; afterwards nothing is lost, every page of the
 * Redis route equals MySQL's, and verify finds nothing. And a load whose loader died half-way is
 * dropped and loaded again.
 */
class WindowRacesIT {
    /** why: on RediSearch 1.x Redis holds whole chats and evicts none ({@code SearchIndex#supportsWindows}). */
    @org.junit.jupiter.api.BeforeEach
    void windowsNeedTwoX() {
        TestStores.get().assumeWindows();
    }

    private static final Map<String, String> WINDOW = Map.of("CHATCACHE_CACHE_WINDOW", "10");

    private static List<Long> ids(List<Message> messages) {
        return messages.stream().map(Message::id).toList();
    }


    @Test
    void evictionsAndLoadsRacingWithWritesAndReadsOnTwoInstancesLoseNothing() throws Exception {
        TestStores a = TestStores.with(WINDOW);
        // the same settings but one: another instance of the program
        TestStores b = TestStores.with(Map.of("CHATCACHE_CACHE_WINDOW", "10", "CHATCACHE_DB_POOL_SIZE", "15"));
        a.reset();
        b.cache.chats().forgetAll();
        User alice = a.userOnly("alice", Role.USER);
        User bob = a.userOnly("bob", Role.USER);
        List<Long> chats = List.of(1L, 2L, 3L);
        for (long chat : chats) {
            a.members(chat, alice, bob);
        }
        long seed = Seeds.announced("WindowRacesIT");
        Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
        Set<Long> deleted = ConcurrentHashMap.newKeySet();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            Random random = new Random(seed + w);
            TestStores through = w == 0 ? a : b;
            threads.add(new Thread(() -> {
                try {
                    for (int i = 0; i < 120; i++) {
                        long chat = chats.get(random.nextInt(chats.size()));
                        Message m = through.cache.messages().post(new NewMessage(chat, alice.id(), "race " + i, null));
                        acknowledged.add(m.id());
                        if (i % 7 == 3) {
                            through.cache.messages().edit(chat, m.id(), "edited " + i, alice, true);
                        } else if (i % 11 == 5) {
                            through.cache.messages().delete(chat, m.id(), alice);
                            deleted.add(m.id());
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "writer"));
        }
        for (int r = 0; r < 2; r++) {
            Random random = new Random(seed + 10 + r);
            TestStores through = r == 0 ? b : a;
            threads.add(new Thread(() -> {
                try {
                    for (int i = 0; i < 150; i++) {
                        long chat = chats.get(random.nextInt(chats.size()));
                        through.cache.messages().fetch(new SearchCriteria(chat, Optional.empty(), 1 + random.nextInt(20)),
                                Caller.of(bob));
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "reader"));
        }
        Random churn = new Random(seed + 20);
        threads.add(new Thread(() -> {
            try {
                for (int i = 0; i < 40; i++) {
                    long chat = chats.get(churn.nextInt(chats.size()));
                    TestStores through = churn.nextBoolean() ? a : b;
                    if (churn.nextBoolean()) {
                        through.cache.replication().budget().drop(chat);
                    } else {
                        through.cache.replication().warmer().warmNow(chat);
                    }
                }
            } catch (Throwable e) {
                failures.add(e);
            }
        }, "churn"));
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join(Duration.ofMinutes(2).toMillis());
        }
        assertEquals(List.of(), failures.stream().map(Throwable::toString).toList());

        for (TestStores s : List.of(a, b)) {
            s.cache.cacheRelay().drain();
            s.cache.readMarks().drain();
        }
        for (long chat : chats) {
            long id = chat;
            if (!a.readable(chat)) {
                a.cache.replication().warmer().warmNow(chat);
            }
            assertTrue(a.readable(id), "chat " + chat + " loaded");
        }
        assertEquals(List.of(), a.cache.rebuild().verify(Optional.empty(), CacheRebuild.Progress.NONE), "seed " + seed);
        List<Long> inMysql = ids(a.cache.mysqlMessages().load(List.copyOf(acknowledged)));
        assertEquals(acknowledged.size() - deleted.size(), inMysql.size(), "every acknowledged message not deleted is in MySQL");
        for (long chat : chats) {
            SearchCriteria all = new SearchCriteria(chat, Optional.empty(), 100);
            FetchResult mysql = a.cache.messages().fetchFrom(a.cache.mysqlMessages(), all, Caller.ANONYMOUS);
            FetchResult redisRoute = b.cache.messages().fetch(all, Caller.ANONYMOUS);
            assertEquals(mysql.messages(), redisRoute.messages(), "seed " + seed + ", chat " + chat + " (" + redisRoute.source() + ")");
        }
    }

    @Test
    void aLoadWhoseLoaderDiedIsDroppedAndLoadedAgain() throws Exception {
        TestStores stores = TestStores.with(WINDOW);
        stores.reset();
        User alice = stores.userOnly("alice", Role.USER);
        stores.members(1, alice);
        List<Message> posted = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            posted.add(stores.cache.messages().post(new NewMessage(1, alice.id(), "m" + i, null)));
        }
        // a loader marks the chat, loads it, and dies before it ends; meanwhile a message is deleted
        // in MySQL alone (its removal from Redis lost with the loader)
        stores.cache.cacheState().markChatsLoading(List.of(1L));
        try (Connection c = stores.cache.database().dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM messages WHERE id = " + posted.get(2).id());
            s.execute("DELETE FROM message_words WHERE message_id = " + posted.get(2).id());
        }
        assertTrue(!stores.readable(1), "readers go to MySQL while the chat is marked");

        assertEquals(1, stores.cache.replication().budget().recoverDeadLoads());
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!stores.readable(1)) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for chat 1 to be loaded again");
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        }
        assertEquals(List.of(), stores.cache.rebuild().verify(Optional.of(1L), CacheRebuild.Progress.NONE));
        assertEquals(5, stores.cache.redisMessages().orderedIds(1).size(), "the message deleted meanwhile is gone from Redis");
    }
}
