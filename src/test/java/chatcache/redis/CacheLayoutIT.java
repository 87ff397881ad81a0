package chatcache.redis;

import chatcache.core.Message;
import chatcache.replication.CacheRebuild;
import chatcache.support.TestStores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A cache left by an older chatcache is dropped at start and rebuilt; pending read marks survive. */
class CacheLayoutIT {
    private final TestStores stores = TestStores.get();

    @BeforeEach
    void reset() {
        stores.reset();
    }

    @Test
    void aCacheOfAnOlderLayoutIsDroppedButNotItsReadMarks() {
        // why only then: older layouts were all one Redis's names
        assumeTrue(stores.cache.groups().count() == 1, "a standalone layout");
        Message m = new Message(5, 77, 3, "hello", 1_700_000_000_000L, null, false);
        stores.cache.redisMessages().put(m);
        try (Jedis jedis = stores.cache.redisPool().getResource()) {
            // what layout 1 looked like: no layout key, one sorted set of 32-digit keys per list
            jedis.del(SearchIndex.LAYOUT_KEY);
            jedis.zadd("order:chat:77", 0, "17000000000000000000000000000005");
            jedis.xadd(KeySpace.STANDALONE.readMarks(), StreamEntryID.NEW_ENTRY, Map.of("ids", "5"));
            long marks = jedis.xlen(KeySpace.STANDALONE.readMarks());
            assertTrue(stores.cache.cacheState().holdsAll());
            assertTrue(jedis.exists(KeySpace.STANDALONE.events(77)), "the put appended an event");

            stores.cache.prepareRedis();

            assertEquals(SearchIndex.LAYOUT, jedis.get(SearchIndex.LAYOUT_KEY));
            assertFalse(jedis.exists("messages:5"));
            assertEquals(Set.of(), jedis.keys("order:*"));
            assertEquals(Set.of(), jedis.keys(KeySpace.STANDALONE.eventsPrefix() + "*"), "a new epoch starts without streams");
            assertFalse(stores.cache.cacheState().holdsAll(), "readers must go to MySQL until the rebuild");
            assertEquals(marks, jedis.xlen(KeySpace.STANDALONE.readMarks()));
            assertEquals(0, stores.cache.redisMessages().indexedCount(77));
        }
        // the guard's rebuild brings the cache back in the new layout
        stores.cache.rebuild().rebuild(Optional.empty(), CacheRebuild.Progress.NONE);
        assertTrue(stores.cache.cacheState().holdsAll());
    }

    @Test
    void aCacheOfTheCurrentLayoutIsKept() {
        Message m = new Message(5, 77, 3, "hello", 1_700_000_000_000L, null, false);
        stores.cache.redisMessages().put(m);
        stores.cache.prepareRedis();
        assertEquals(Optional.of(m), stores.cache.redisMessages().find(77, 5));
        assertTrue(stores.cache.cacheState().holdsAll());
    }

    /** The count a test starts "another" layout with: one whose streams this one does not all read. */
    private ChatGroups another() {
        return ChatGroups.withCount(stores.cache.groups().count() == 1 ? 3 : 1);
    }

    /**
     * Another count of groups (CHATCACHE_REDIS_INDEX_GROUPS) names every key otherwise: while an
     * instance uses this Redis with one count, a start with another is refused, and nothing of the
     * cache is dropped.
     */
    @Test
    void anotherCountOfGroupsIsRefusedWhileAnInstanceUsesThisOne() {
        stores.cache.readMarks().drain(); // the relay has just read its streams
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> SearchIndex.prepare(stores.cache.redis(), another()));
        assertTrue(refused.getMessage().contains("every instance must use the same count"), refused.getMessage());
        try (Jedis jedis = stores.cache.redisPool().getResource()) {
            assertEquals(SearchIndex.layoutOf(stores.cache.groups()), jedis.get(SearchIndex.LAYOUT_KEY));
        }
        assertTrue(stores.cache.cacheState().holdsAll(), "nothing was dropped");
    }

    /**
     * Starting over another count than the instances that stopped: read marks they left in
     * streams this count does not read are moved to one it reads, and the relay applies them.
     */
    @Test
    void readMarksLeftInTheStreamsOfAnotherCountOfGroupsAreMovedToOnesThisCountReads() {
        ChatGroups now = stores.cache.groups();
        ChatGroups before = another();
        stores.cache.readMarks().drain();
        try (Jedis jedis = stores.cache.redisPool().getResource()) {
            jedis.set(SearchIndex.LAYOUT_KEY, SearchIndex.layoutOf(before));
            for (KeySpace g : before.all()) {
                jedis.xadd(g.readMarks(), StreamEntryID.NEW_ENTRY, Map.of("ids", "5"));
            }

            stores.cache.prepareRedis();

            assertEquals(SearchIndex.layoutOf(now), jedis.get(SearchIndex.LAYOUT_KEY));
            assertEquals(before.count(), marksWaiting(jedis, now), "every mark waits in a stream the relay reads");
        }
        assertTrue(stores.cache.readMarks().drain() > 0);
        assertEquals(0, stores.cache.readMarks().backlog());
    }

    /** Entries in the read-mark streams of these groups; none left in any other group's. */
    private static long marksWaiting(Jedis jedis, ChatGroups groups) {
        long waiting = groups.all().stream().mapToLong(g -> jedis.xlen(g.readMarks())).sum();
        for (KeySpace other : ChatGroups.withCount(groups.count() + 2).all()) {
            if (!groups.all().contains(other) && !KeySpace.STANDALONE.equals(other)) {
                assertEquals(0, jedis.xlen(other.readMarks()), other.toString());
            }
        }
        if (groups.count() > 1) {
            assertEquals(0, jedis.xlen(KeySpace.STANDALONE.readMarks()));
        }
        return waiting;
    }
}
