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
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A cache left by an older chatcache is dropped at start and rebuilt; pending read marks survive. */
class CacheLayoutIT {
    private final TestStores stores = TestStores.get();

    @BeforeEach
    void reset() {
        stores.reset();
    }

    @Test
    void aCacheOfAnOlderLayoutIsDroppedButNotItsReadMarks() {
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
}
