package chatcache.message;

import chatcache.core.Message;
import chatcache.query.SearchCriteria;
import chatcache.replication.CacheRebuild;
import chatcache.support.TestClock;
import chatcache.support.TestStores;
import chatcache.user.Caller;
import chatcache.user.Role;
import chatcache.user.User;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Chats Redis does not hold: answered by MySQL, loaded for their next reads, changes made
 * meanwhile found by the load; eviction of the least recently read; a budget held while many
 * chats are read in turn, every page equal to MySQL's.
 */
class CacheBudgetIT {
    /** why: on RediSearch 1.x Redis holds whole chats and evicts none ({@code SearchIndex#supportsWindows}). */
    @org.junit.jupiter.api.BeforeEach
    void windowsNeedTwoX() {
        TestStores.get().assumeWindows();
    }

    private static final long CHAT = 1;

    private static List<Long> ids(List<Message> messages) {
        return messages.stream().map(Message::id).toList();
    }

    private static void await(String what, BooleanSupplier done) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        }
    }


    private static List<Message> postSome(TestStores stores, long chat, User author, int n) {
        List<Message> posted = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            stores.clock.set(TestClock.START + posted.size() + chat * 1000);
            posted.add(stores.cache.messages().post(new NewMessage(chat, author.id(), "post " + i + " of " + chat, null)));
        }
        return posted;
    }

    private static void assertSamePageOnBothRoutes(TestStores stores, SearchCriteria c, User reader) {
        FetchResult fromMysql = stores.cache.messages().fetchFrom(stores.cache.mysqlMessages(), c, Caller.ANONYMOUS);
        FetchResult fromRedisRoute = stores.cache.messages().fetch(c, reader == null ? Caller.ANONYMOUS : Caller.of(reader));
        assertEquals(ids(fromMysql.messages()), ids(fromRedisRoute.messages()), c + " from " + fromRedisRoute.source());
        assertEquals(fromMysql.hasOlder(), fromRedisRoute.hasOlder(), c.toString());
    }

    @Test
    void aChatRedisDoesNotHoldIsAnsweredByMySqlAndLoadedWithWhatChangedMeanwhile() {
        TestStores stores = TestStores.withWindow(5);
        stores.reset();
        User alice = stores.userOnly("alice", Role.USER);
        User bob = stores.userOnly("bob", Role.USER);
        stores.members(CHAT, alice, bob);
        List<Message> posted = postSome(stores, CHAT, alice, 8);

        assertTrue(stores.cache.replication().budget().drop(CHAT));
        assertFalse(stores.cache.redisMessages().window(CHAT).value());
        Map<String, String> last = stores.redisOf(CHAT).call((jedis, keys) -> jedis.xrevrange(keys.events(CHAT), "+", "-", 1))
                .get(0).getFields();
        assertEquals(Map.of("type", "reset", "reason", "chat evicted"), last,
                "subscribers reload: the chat's posts append no events until it is loaded again");
        assertEquals(List.of(), stores.cache.rebuild().verify(Optional.of(CHAT), CacheRebuild.Progress.NONE),
                "Redis holds nothing of a chat it does not hold");

        // changes while the chat is not held: MySQL only
        posted.addAll(postSome(stores, CHAT, bob, 2));
        stores.cache.messages().edit(CHAT, posted.get(7).id(), "edited while cold", alice, true);
        stores.cache.messages().delete(CHAT, posted.get(6).id(), alice);
        stores.cache.cacheRelay().drain();

        long cold = stores.cache.messages().fallbacks().count(Fallbacks.Cause.COLD);
        FetchResult first = stores.cache.messages().fetch(new SearchCriteria(CHAT, Optional.empty(), 20), Caller.of(bob));
        assertEquals("mysql", first.source(), "a chat Redis does not hold is MySQL's");
        assertEquals(cold + 1, stores.cache.messages().fallbacks().count(Fallbacks.Cause.COLD));
        assertEquals(9, first.messages().size());

        await("the chat loaded", () -> stores.readable(CHAT));
        assertEquals(5, stores.cache.redisMessages().orderedIds(CHAT).size());
        stores.cache.readMarks().drain();
        FetchResult again = stores.cache.messages().fetch(new SearchCriteria(CHAT, Optional.empty(), 3), Caller.ANONYMOUS);
        assertEquals("redis", again.source(), "loaded for the next reads");
        assertEquals("edited while cold", stores.cache.messages().fetch(new SearchCriteria(CHAT, Optional.empty(), 3),
                Caller.ANONYMOUS).messages().stream().filter(m -> m.id() == posted.get(7).id()).findFirst().orElseThrow().text());
        assertEquals(List.of(), stores.cache.rebuild().verify(Optional.of(CHAT), CacheRebuild.Progress.NONE));
        assertSamePageOnBothRoutes(stores, new SearchCriteria(CHAT, Optional.empty(), 20), null);
    }

    @Test
    void evictionTakesTheLeastRecentlyReadChatsWhole() {
        // a budget of 1 MiB: less than an empty Redis with its index uses, so every held chat goes
        TestStores stores = TestStores.with(Map.of("CHATCACHE_CACHE_WINDOW", "5", "CHATCACHE_CACHE_BUDGET_MB", "1"));
        stores.reset();
        User alice = stores.userOnly("alice", Role.USER);
        for (long chat : List.of(3L, 1L, 4L, 2L)) {
            stores.members(chat, alice);
            postSome(stores, chat, alice, 7);
        }
        long t = TestClock.START + 100_000;
        for (long chat : List.of(3L, 1L, 4L, 2L)) {
            stores.clock.set(t += 1_000);
            assertTrue(stores.cache.messages().fetch(new SearchCriteria(chat, Optional.empty(), 3), Caller.ANONYMOUS)
                    .source().startsWith("redis"));
        }
        stores.cache.replication().budget().recordReads();
        List<Long> order = stores.cache.cacheState().leastRecentlyRead(200);
        assertEquals(List.of(3L, 1L, 4L, 2L), order.stream().filter(List.of(1L, 2L, 3L, 4L)::contains).toList(),
                "least recently read first");

        long before = stores.cache.replication().budget().evictions();
        while (stores.cache.replication().budget().evict() > 0) {
            // every round takes up to 50 chats (the fixture's other chats too): until none is held
        }
        assertTrue(stores.cache.replication().budget().evictions() >= before + 4);
        assertEquals(0, stores.cache.cacheState().count());
        for (long chat : List.of(1L, 2L, 3L, 4L)) {
            assertFalse(stores.cache.redisMessages().window(chat).value(), "chat " + chat + " evicted");
            assertEquals(0, stores.cache.redisMessages().orderedIds(chat).size());
        }
        assertEquals(List.of(), stores.cache.rebuild().verify(Optional.empty(), CacheRebuild.Progress.NONE));
        assertSamePageOnBothRoutes(stores, new SearchCriteria(2, Optional.empty(), 4), alice);
    }

    /**
     * 40 chats of 100 messages of ~3 KB (~14 MB in Redis when all are held) under a budget 6 MiB
     * above an empty Redis: read in turn, each cold one loaded, then the budget kept; Redis's
     * memory stays within the budget and one chat's window (the margin of a round), every page
     * equal to MySQL's.
     */
    @Test
    void aBudgetIsHeldWhileManyChatsAreReadInTurn() throws Exception {
        TestStores plain = TestStores.get();
        plain.reset();
        long empty = plain.cache.cacheState().memory().usedBytes();
        long budgetMb = empty / (1024 * 1024) + 6;
        TestStores stores = TestStores.with(Map.of("CHATCACHE_CACHE_WINDOW", "100",
                "CHATCACHE_CACHE_BUDGET_MB", Long.toString(budgetMb)));
        stores.reset();
        User alice = stores.userOnly("alice", Role.USER);
        int chats = 40;
        try (Connection c = stores.cache.database().dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("SET SESSION max_recursive_iterations = 100000");
            s.execute("INSERT INTO messages (chat_id, user_id, message, created_at, is_read) "
                    + "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + chats * 100 + ") "
                    + "SELECT 1 + i % " + chats + ", " + alice.id() + ", CONCAT('m', i, ' ', REPEAT('filler ', 430)), "
                    + TestClock.START + " + i, 0 FROM n");
        }
        for (long chat = 1; chat <= chats; chat++) {
            stores.cache.mysqlMessages().mendWords(chat);
        }
        stores.cache.rebuild().rebuild(Optional.empty(), CacheRebuild.Progress.NONE);
        long heldAfterRebuild = java.util.stream.LongStream.rangeClosed(1, chats)
                .filter(c -> stores.cache.redisMessages().window(c).value()).count();
        assertTrue(heldAfterRebuild < chats, "a rebuild stops loading at the budget: " + heldAfterRebuild + " of " + chats
                + " held, Redis " + stores.cache.cacheState().memory() + ", budget " + stores.cache.replication().budget().budgetBytes());
        long budget = stores.cache.replication().budget().budgetBytes();
        long margin = 100 * 4 * 1024; // one chat's window, ~3.5 KB a message
        stores.cache.replication().budget().evict();
        assertTrue(stores.cache.cacheState().memory().usedBytes() <= budget + margin,
                "after the rebuild and one round: " + stores.cache.cacheState().memory() + ", budget " + budget);

        Random random = new Random(chatcache.support.Seeds.announced("CacheBudgetIT"));
        List<Long> turn = new ArrayList<>();
        for (long chat = 1; chat <= chats; chat++) {
            turn.add(chat);
        }
        Collections.shuffle(turn, random);
        int fromRedis = 0;
        long maxUsed = 0;
        for (int round = 0; round < 2; round++) {
            for (long chat : turn) {
                SearchCriteria page = new SearchCriteria(chat, Optional.empty(), 1 + random.nextInt(20));
                assertSamePageOnBothRoutes(stores, page, null); // a cold chat's read asks for its load
                await("chat " + chat + " loaded", () -> stores.readable(chat));
                if (stores.cache.messages().fetch(page, Caller.ANONYMOUS).source().startsWith("redis")) {
                    fromRedis++;
                }
                stores.cache.replication().budget().recordReads();
                stores.cache.replication().budget().evict();
                long used = stores.cache.cacheState().memory().usedBytes();
                maxUsed = Math.max(maxUsed, used);
                assertTrue(used <= budget + margin, "chat " + chat + ": Redis uses " + used + ", budget " + budget);
            }
        }
        System.out.printf("CacheBudgetIT: budget %d bytes (empty Redis %d), at most %d used after a round, %d of %d"
                        + " pages from Redis, %d evictions%n", budget, empty, maxUsed, fromRedis, 2 * chats,
                stores.cache.replication().budget().evictions());
        assertTrue(fromRedis >= chats, "a chat just loaded answers from Redis: " + fromRedis);
        assertEquals(List.of(), stores.cache.rebuild().verify(Optional.empty(), CacheRebuild.Progress.NONE));
        long held = stores.redisOfEveryGroup().stream().mapToLong(g -> g.call((jedis, keys) -> jedis.zcard(keys.chatReads()))).sum();
        assertTrue(held < chats, "the budget holds fewer chats than exist: " + held);
    }
}
