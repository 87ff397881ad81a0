package chatcache.replication;

import chatcache.message.FetchResult;
import chatcache.message.NewMessage;
import chatcache.query.SearchCriteria;
import chatcache.redis.KeySpace;
import chatcache.redis.RedisEventLog;
import chatcache.support.FreshStores;
import chatcache.user.Caller;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * With chats over groups (the index-groups pass, a Redis Cluster), one group losing its data, as
 * the groups of a cluster primary that restarted empty do, costs a rebuild of that group only:
 * {@link CacheGuard}'s rebuild copies its chats' messages and no others, readers of the other
 * groups stay with Redis throughout, and afterwards both stores agree and the events have one
 * epoch again (a new one: clients reload).
 */
class GroupRebuildIT extends FreshStores {
    @Test
    void aGroupThatLostItsDataIsRebuiltAloneWhileTheOthersAnswerFromRedis() {
        assumeTrue(stores.cache.groups().count() > 1, "chats over several groups (CHATCACHE_REDIS_INDEX_GROUPS)");
        long lost = 1;
        KeySpace lostGroup = stores.cache.groups().of(lost);
        long kept = java.util.stream.LongStream.rangeClosed(2, 100)
                .filter(c -> !stores.cache.groups().of(c).equals(lostGroup)).findFirst().orElseThrow();
        long sameGroup = java.util.stream.LongStream.rangeClosed(2, 100)
                .filter(c -> stores.cache.groups().of(c).equals(lostGroup)).findFirst().orElseThrow();
        for (int i = 0; i < 20; i++) {
            stores.clock.advance(1);
            stores.cache.messages().post(new NewMessage(lost, alice.id(), "lost " + i, null));
            stores.cache.messages().post(new NewMessage(kept, bob.id(), "kept " + i, null));
            if (i < 5) {
                stores.cache.messages().post(new NewMessage(sameGroup, bob.id(), "same group " + i, null));
            }
        }
        stores.cache.cacheRelay().drain();
        RedisEventLog events = new RedisEventLog(stores.cache.redis(), stores.cache.groups());
        String epochBefore = events.epoch().orElseThrow();

        int removed = loseEveryKeyOf(lostGroup);
        assertTrue(removed > 25, "the group's keys removed: " + removed);
        assertFalse(stores.cache.cacheState().holdsAll());
        assertEquals("mysql", read(lost).source(), "a chat of the group that lost its data");
        assertEquals("redis", read(kept).source(), "a chat of another group");

        List<String> during = new ArrayList<>();
        long copied = stores.cache.rebuild().rebuildLacking((done, total) -> {
            if (done == 0) {
                during.add("lost " + stores.readable(lost) + ", same group " + stores.readable(sameGroup) + ", kept " + stores.readable(kept));
            }
        });
        assertEquals(List.of("lost false, same group false, kept true"), during, "what Redis answered while the group was rebuilt");
        assertEquals(25, copied, "the messages of the lost group's chats, and no others");
        assertTrue(stores.cache.cacheState().holdsAll());
        assertEquals("redis", read(lost).source());
        assertEquals(20, read(lost).messages().size());
        assertEquals(5, read(sameGroup).messages().size());
        assertEquals(0, stores.cache.rebuild().rebuildLacking((done, total) -> { }), "nothing lacks its claim any more");
        assertEquals(List.of(), stores.cache.rebuild().verify(Optional.empty(), CacheRebuild.Progress.NONE));
        String epochAfter = events.epoch().orElseThrow(() -> new AssertionError("one epoch in every group again"));
        assertNotEquals(epochBefore, epochAfter, "a new epoch: clients of every chat reload");
    }

    private FetchResult read(long chatId) {
        return stores.cache.messages().fetch(new SearchCriteria(chatId, Optional.empty(), 50), Caller.ANONYMOUS);
    }

    /** Unlinks every key of the group on the node that holds it (a group is one slot), as a restart without data would. */
    private int loseEveryKeyOf(KeySpace group) {
        return stores.cache.redis().call(group.route(), "lose a group's keys", jedis -> {
            int n = 0;
            String cursor = ScanParams.SCAN_POINTER_START;
            ScanParams match = new ScanParams().match("*" + group.tag() + "*").count(1000);
            do {
                ScanResult<String> page = jedis.scan(cursor, match);
                for (String key : page.getResult()) {
                    n += (int) jedis.unlink(key);
                }
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            return n;
        });
    }
}
