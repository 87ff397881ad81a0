package chatcache.message;

import chatcache.chat.Unread;
import chatcache.core.Message;
import chatcache.query.OrderKey;
import chatcache.query.Position;
import chatcache.query.SearchCriteria;
import chatcache.replication.CacheRebuild;
import chatcache.support.TestStores;
import chatcache.user.Caller;
import chatcache.user.Role;
import chatcache.user.User;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis holding a window of each chat (5 here): what a post trims, what changes below the window
 * do (MySQL only), where each page comes from, unread counts across the boundary, rebuilds and
 * verify of windows. Pages themselves are checked against MySQL by the contract and parity suites.
 * RediSearch 2.x only (on 1.x Redis holds whole chats).
 */
class CacheWindowIT {
    private static final int WINDOW = 5;
    private static final long CHAT = 1;

    private final TestStores stores = TestStores.withWindow(WINDOW);
    private User alice;
    private User bob;
    /** Oldest first. */
    private final List<Message> posted = new ArrayList<>();

    @BeforeEach
    void twelvePosts() {
        stores.assumeWindows();
        stores.reset();
        posted.clear();
        alice = stores.userOnly("alice", Role.USER);
        bob = stores.userOnly("bob", Role.USER);
        stores.members(CHAT, alice, bob);
        for (int i = 0; i < 12; i++) {
            stores.clock.set(chatcache.support.TestClock.START + i);
            posted.add(stores.cache.messages().post(new NewMessage(CHAT, (i % 3 == 0 ? bob : alice).id(), "post " + i, null)));
        }
    }

    private List<Long> ids(List<Message> messages) {
        return messages.stream().map(Message::id).toList();
    }

    private List<Long> newest(int n) {
        return ids(posted.subList(posted.size() - n, posted.size()));
    }

    private static OrderKey placeOf(Message m) {
        return new OrderKey(m.createdAt(), m.id());
    }

    private List<String> verify() {
        return stores.cache.rebuild().verify(Optional.of(CHAT), CacheRebuild.Progress.NONE);
    }

    private void assertHoldsTheNewest(int n) {
        assertHoldsTheNewest(stores, n);
    }

    /** {@code n} newest held, nothing below, and verify by {@code by} (whose window is n) clean. */
    private void assertHoldsTheNewest(TestStores by, int n) {
        assertEquals(Set.copyOf(newest(n)), stores.cache.redisMessages().orderedIds(CHAT));
        Held<Boolean> window = stores.cache.redisMessages().window(CHAT);
        assertTrue(window.value());
        assertEquals(Optional.of(placeOf(posted.get(posted.size() - n))), window.boundary(), "the oldest held message");
        assertEquals(n, stores.cache.redisMessages().indexedCount(CHAT));
        assertEquals(Set.of(), chatcache.support.RedisCopies.of(stores.cache, ids(posted.subList(0, posted.size() - n))).keySet(),
                "no hash of a message below the window");
        assertEquals(List.of(), by.cache.rebuild().verify(Optional.of(CHAT), CacheRebuild.Progress.NONE));
    }

    @Test
    void postsBeyondTheWindowTrimTheOldestAndMoveTheBoundary() {
        assertHoldsTheNewest(WINDOW);
        long authorsHeld = stores.cache.redisMessages().orderedIdsByAuthor(CHAT).values().stream().mapToLong(Set::size).sum();
        assertEquals(WINDOW, authorsHeld, "the authors' lists hold the window too");
    }

    @Test
    void editsDeletesAndMarksBelowTheWindowChangeMySqlOnly() {
        Message old = posted.get(2);
        Message edited = stores.cache.messages().edit(CHAT, old.id(), "edited long ago", alice, true);
        assertEquals("edited long ago", edited.text());
        assertEquals("edited long ago", stores.cache.messages().findInStore(CHAT, old.id()).text());
        stores.cache.messages().delete(CHAT, posted.get(4).id(), alice);
        stores.cache.cacheRelay().drain();
        posted.remove(4);
        assertHoldsTheNewest(WINDOW);

        // bob reads the whole chat: the page is joined, and every mark reaches MySQL
        FetchResult page = stores.cache.messages().fetch(new SearchCriteria(CHAT, Optional.empty(), 20), Caller.of(bob));
        assertEquals("redis+mysql", page.source());
        assertEquals(posted.size(), page.messages().size());
        stores.cache.readMarks().drain();
        for (Message m : posted) {
            Message now = stores.cache.messages().findInStore(CHAT, m.id());
            assertEquals(m.userId() != bob.id(), now.read(), "message " + m.id() + " marked read unless bob's own");
        }
        assertHoldsTheNewest(WINDOW);
    }

    @Test
    void eachPageSaysWhichStoresAnsweredAndExplainShowsTheContinuation() {
        SearchCriteria inWindow = new SearchCriteria(CHAT, Optional.empty(), 3);
        assertEquals("redis", stores.cache.messages().fetch(inWindow, Caller.ANONYMOUS).source());

        FetchResult joined = stores.cache.messages().fetch(new SearchCriteria(CHAT, Optional.empty(), 8), Caller.ANONYMOUS, true);
        assertEquals("redis+mysql", joined.source());
        assertEquals(newest(8).reversed(), ids(joined.messages()));
        assertTrue(joined.hasOlder());
        assertFalse(joined.explain().orElseThrow().continuation().isEmpty(), "the MySQL part is explained");

        SearchCriteria deep = new SearchCriteria(CHAT, Optional.empty(), 2, new Position.Before(posted.get(4).id()));
        FetchResult below = stores.cache.messages().fetch(deep, Caller.ANONYMOUS);
        assertEquals("mysql", below.source());
        assertEquals(List.of(posted.get(3).id(), posted.get(2).id()), ids(below.messages()));
        assertTrue(below.hasNewer() && below.hasOlder());

        SearchCriteria across = new SearchCriteria(CHAT, Optional.empty(), 6, new Position.After(posted.get(4).id()));
        FetchResult up = stores.cache.messages().fetch(across, Caller.ANONYMOUS);
        assertEquals("redis+mysql", up.source());
        assertEquals(ids(posted.subList(5, 11)).reversed(), ids(up.messages()));
        assertEquals(0, stores.cache.messages().fallbacks().count(Fallbacks.Cause.INCOMPLETE), "no page fell back");
    }

    private SearchCriteria deep() {
        return new SearchCriteria(CHAT, Optional.empty(), 2, new Position.Before(posted.get(4).id()));
    }

    /** why: what is older than an anchor below the window is MySQL's alone; Redis has nothing to add after the anchor's lookup. */
    @Test
    void aPageOlderThanAnAnchorBelowTheWindowAsksRedisOnlyForTheAnchor() {
        stores.cache.cacheRelay().drain();
        stores.cache.readMarks().drain();
        stores.redisOf(CHAT).run((jedis, keys) -> {
            jedis.configResetStat();
            FetchResult below = stores.cache.messages().fetch(deep(), Caller.ANONYMOUS); // marks nothing
            assertEquals("mysql", below.source());
            assertEquals(List.of(posted.get(3).id(), posted.get(2).id()), ids(below.messages()));
            String stats = jedis.info("commandstats");
            // one script: the events' position, in the anchor's lookup; no order-index walk after it
            assertTrue(stats.contains("cmdstat_evalsha:calls=1,"), stats);
            assertFalse(stats.contains("cmdstat_zrevrangebylex") || stats.contains("cmdstat_zrangebylex"),
                    "no order-index read after the anchor's lookup: " + stats);
            assertTrue(stats.contains("cmdstat_hgetall:calls=1,"), "the anchor's lookup: " + stats);
        });
        assertEquals(ids(stores.cache.messages().fetch(deep(), Caller.of(bob)).messages()), List.of(posted.get(3).id(), posted.get(2).id()));
        stores.cache.readMarks().drain();
        assertTrue(stores.cache.messages().findInStore(CHAT, posted.get(2).id()).read(), "bob's page marked alice's message in MySQL");
        assertHoldsTheNewest(WINDOW);
    }

    /**
     * why (issue #24): a page that starts below the window is MySQL's work; Redis is asked once,
     * for the boundary and the events' position, not again before MySQL continues.
     */
    @Test
    void aPageStartingBelowTheWindowReadsRedisOnce() {
        stores.cache.cacheRelay().drain();
        stores.cache.readMarks().drain();
        // created before message 5 (the window holds 7..11): an until below the boundary
        SearchCriteria until = new SearchCriteria(CHAT,
                List.of(new chatcache.query.Filter.TimeRange(0, posted.get(5).createdAt())), 3, new Position.Latest());
        // bob's messages older and newer than alice's message 4: the newer one (6) lies below the window too
        SearchCriteria bobs = new SearchCriteria(CHAT, List.of(chatcache.query.Filter.Authors.of(bob.id())), 1,
                new Position.Before(posted.get(4).id()));
        stores.redisOf(CHAT).run((jedis, keys) -> {
            jedis.configResetStat();
            FetchResult page = stores.cache.messages().fetch(until, Caller.ANONYMOUS);
            assertEquals("mysql", page.source());
            assertEquals(ids(posted.subList(2, 5)).reversed(), ids(page.messages()));
            assertTrue(page.eventId().isPresent(), "the page says where its reader joins the events");
            String stats = jedis.info("commandstats");
            assertTrue(stats.contains("cmdstat_evalsha:calls=1,"), "one guarded read: " + stats);
            // the script checks the cache complete once; reading the boundary again would check it twice
            assertTrue(stats.contains("cmdstat_exists:calls=1,"), "the boundary is not read again: " + stats);

            jedis.configResetStat();
            FetchResult older = stores.cache.messages().fetch(bobs, Caller.ANONYMOUS);
            assertEquals(List.of(posted.get(3).id()), ids(older.messages()));
            assertTrue(older.hasNewer() && older.hasOlder());
            assertEquals("mysql", older.source());
            stats = jedis.info("commandstats");
            assertTrue(stats.contains("cmdstat_evalsha:calls=1,"), "the anchor's lookup only: " + stats);
            assertFalse(stats.contains("cmdstat_zrevrangebylex") || stats.contains("cmdstat_zrangebylex"),
                    "no order-index walk for the newer side, which MySQL answered below the boundary: " + stats);
        });
        assertHoldsTheNewest(WINDOW);
    }

    /**
     * why (issue #24): a filtered page that Redis leaves short is continued by MySQL from the
     * boundary as read after Redis's part; its searches read it, so the page does not ask again.
     */
    @Test
    void aFilteredPageContinuedByMySqlReadsTheBoundaryWithItsSearches() {
        AtomicInteger boundaryReads = new AtomicInteger();
        HeldMessages real = stores.cache.redisMessages();
        HeldMessages counted = new HeldMessages() {
            public String name() { return real.name(); }
            public Optional<Message> find(long chatId, long messageId) { return real.find(chatId, messageId); }
            public List<Message> slice(chatcache.query.Slice slice) { return real.slice(slice); }
            public List<Long> markRead(long chatId, java.util.Collection<Long> ids) { return real.markRead(chatId, ids); }
            public Held<List<Message>> sliceHeld(chatcache.query.Slice slice, boolean position) { return real.sliceHeld(slice, position); }
            public Held<Optional<Message>> findHeld(long chatId, long messageId, boolean position) {
                return real.findHeld(chatId, messageId, position);
            }
            public Optional<OrderKey> boundary(long chatId) {
                boundaryReads.incrementAndGet();
                return real.boundary(chatId);
            }
        };
        RedisRoute route = new RedisRoute(counted, stores.cache.mysqlMessages());
        stores.cache.cacheRelay().drain();
        // unread: the window's 5 and 3 more below it; "post" alone: every message, 8 newest
        for (chatcache.query.Filter filter : List.of(new chatcache.query.Filter.Read(false),
                chatcache.query.Filter.Text.of("post"))) {
            SearchCriteria c = new SearchCriteria(CHAT, List.of(filter), 8, new Position.Latest());
            MessageBackend page = route.forOnePage();
            assertEquals(newest(8).reversed(), ids(Pager.page(page, c).messages()), filter.toString());
            assertEquals("redis+mysql", page.name());
        }
        assertEquals(0, boundaryReads.get(), "MySQL continued from the boundary its searches read");
    }

    @Test
    void unreadCountsWithAMarkerBelowTheWindowAreExact() {
        long byOthers = posted.stream().filter(m -> m.userId() != bob.id()).count();
        List<Unread> redisRoute = stores.cache.chats().unread(Caller.of(bob), List.of(CHAT));
        assertEquals(List.of(new Unread(CHAT, byOthers, null)), redisRoute, "no marker: every message by others");

        stores.cache.chats().moveMarker(CHAT, placeOf(posted.get(2)), Caller.of(bob));
        long above = posted.subList(3, posted.size()).stream().filter(m -> m.userId() != bob.id()).count();
        assertEquals(above, stores.cache.chats().unread(Caller.of(bob), List.of(CHAT)).get(0).unread());
        assertEquals(stores.cache.chatStore().unread(bob.id(), List.of(CHAT)).get(0).unread(),
                stores.cache.chats().unread(Caller.of(bob), List.of(CHAT)).get(0).unread(), "the MySQL route agrees");
    }

    /**
     * why (issue #24, BENCHMARKS run R): MySQL's part of an unread count below the window is a
     * range count as long as the range (2.5 s at 500,000 messages); it is counted once, kept, and
     * moved by trims and markers; a delete, or a write Redis skipped below the boundary, has it
     * counted again. Each answer equals the MySQL route's.
     */
    @Test
    void unreadBelowTheWindowIsCountedOnceAndMovedByTrimsMarkersDeletesAndOldPosts() {
        stores.cache.chats().moveMarker(CHAT, placeOf(posted.get(2)), Caller.of(bob));
        long whole = stores.cache.chats().wholeBelowWindowCounts();
        long inMysql = stores.cache.chatStore().unread(bob.id(), List.of(CHAT)).get(0).unread();
        // eight at once: one counts, the others wait for its count (or find it kept)
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<Long>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                answers.add(pool.submit(() -> {
                    start.await();
                    return stores.cache.chats().unread(Caller.of(bob), List.of(CHAT)).get(0).unread();
                }));
            }
            start.countDown();
            for (var answer : answers) {
                assertEquals(inMysql, answer.get(30, java.util.concurrent.TimeUnit.SECONDS));
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(whole + 1, stores.cache.chats().wholeBelowWindowCounts(), "the first requests count once");
        assertUnreadAsMySql();
        assertEquals(whole + 1, stores.cache.chats().wholeBelowWindowCounts(), "the second finds it kept");

        for (int i = 0; i < 3; i++) { // each trims the oldest held message below the boundary
            stores.clock.set(chatcache.support.TestClock.START + 20 + i);
            posted.add(stores.cache.messages().post(new NewMessage(CHAT, alice.id(), "later " + i, null)));
        }
        assertHoldsTheNewest(WINDOW);
        assertUnreadAsMySql();
        stores.cache.chats().moveMarker(CHAT, placeOf(posted.get(5)), Caller.of(bob)); // still below the window
        assertUnreadAsMySql();
        assertEquals(whole + 1, stores.cache.chats().wholeBelowWindowCounts(), "trims and the marker moved the kept count");

        stores.cache.messages().delete(CHAT, posted.get(8).id(), alice); // below the window now
        stores.cache.cacheRelay().drain();
        assertUnreadAsMySql();
        assertEquals(whole + 2, stores.cache.chats().wholeBelowWindowCounts(), "a delete has it counted again");

        stores.clock.set(chatcache.support.TestClock.START + 6); // older than the window: MySQL's alone
        stores.cache.messages().post(new NewMessage(CHAT, alice.id(), "late", null));
        stores.cache.cacheRelay().drain();
        assertUnreadAsMySql();
        assertEquals(whole + 3, stores.cache.chats().wholeBelowWindowCounts(), "a post below the window has it counted again");
    }

    private void assertUnreadAsMySql() {
        long inMysql = stores.cache.chatStore().unread(bob.id(), List.of(CHAT)).get(0).unread();
        assertEquals(inMysql, stores.cache.chats().unread(Caller.of(bob), List.of(CHAT)).get(0).unread(), "the MySQL route's count");
    }

    @Test
    void rebuildsLoadTheWindowAgain() {
        stores.cache.rebuild().rebuild(Optional.of(CHAT), CacheRebuild.Progress.NONE);
        assertHoldsTheNewest(WINDOW);
        stores.flushRedis();
        stores.cache.prepareRedis();
        stores.cache.rebuild().rebuild(Optional.empty(), CacheRebuild.Progress.NONE);
        assertHoldsTheNewest(WINDOW);
    }

    /**
     * why: an operator raises CHATCACHE_CACHE_WINDOW; a chat held under the old window and loaded
     * again must hold the larger one (a load starts from an empty boundary), and an edit committed
     * during the load to a message below the old boundary, after the load copied it, must reach
     * Redis (its writer saw the boundary the load set, not the old one).
     */
    @Test
    void aChatLoadedAgainUnderALargerWindowHoldsItAndWritesDuringTheLoadReachIt() {
        TestStores larger = TestStores.withWindow(WINDOW + 4);
        Message belowOld = posted.get(posted.size() - WINDOW - 2);
        boolean[] edited = {false};
        larger.cache.rebuild().rebuild(Optional.of(CHAT), (done, total) -> {
            if (done > 0 && !edited[0]) {
                edited[0] = true;
                larger.cache.messages().edit(CHAT, belowOld.id(), "edited while loading", alice, true);
            }
        });
        larger.cache.cacheRelay().drain();
        assertTrue(edited[0], "the edit ran between the load's batch and its end");
        assertHoldsTheNewest(larger, WINDOW + 4);
        assertEquals("edited while loading", stores.cache.redisMessages().getAll(belowOld.chatId(), List.of(belowOld.id())).get(belowOld.id()).text());
        FetchResult page = larger.cache.messages().fetch(new SearchCriteria(CHAT, Optional.empty(), WINDOW + 3), Caller.ANONYMOUS);
        assertEquals("redis", page.source());
        assertEquals(newest(WINDOW + 3).reversed(), ids(page.messages()));

        // and lowered again: the next load trims the copy back to the smaller window
        stores.cache.rebuild().rebuild(Optional.of(CHAT), CacheRebuild.Progress.NONE);
        assertHoldsTheNewest(WINDOW);
    }

    /** While a chat loads, counts come from MySQL: Redis's boundary then says "" over a partial copy. */
    @Test
    void unreadCountsOfAChatBeingLoadedAreMySqlS() {
        stores.cache.cacheState().markChatsLoading(List.of(CHAT));
        long byOthers = posted.stream().filter(m -> m.userId() != bob.id()).count();
        assertEquals(List.of(new Unread(CHAT, byOthers, null)), stores.cache.chats().unread(Caller.of(bob), List.of(CHAT)));
    }

    @Test
    void verifyReportsAMessageHeldBelowTheBoundary() {
        stores.redisOf(CHAT).run((jedis, keys) -> jedis.set(keys.held(CHAT), placeOf(posted.get(posted.size() - 2)).sortKey()));
        List<String> drift = verify();
        assertTrue(drift.stream().anyMatch(d -> d.contains("message " + posted.get(posted.size() - 3).id()
                + " lies below the chat's window but is in Redis")), drift.toString());
    }

    /** why: a reader on MySQL's route may mark a post before the post's own copy reaches Redis. */
    @Test
    void aReadMarkThatOvertookAMessagesCopyIsKeptByTheCopy() {
        Message late = new Message(9_999, CHAT, alice.id(), "late copy", posted.get(11).createdAt() + 1, null, false);
        stores.cache.redisMessages().copyReadMarks(late.chatId(), List.of(late.id())); // nothing to mark yet
        stores.cache.redisMessages().put(late);
        assertTrue(stores.cache.redisMessages().getAll(late.chatId(), List.of(late.id())).get(late.id()).read(), "the copy starts out read");
    }
}
