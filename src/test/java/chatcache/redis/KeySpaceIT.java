package chatcache.redis;

import chatcache.support.TestStores;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The names scripts build from their first key (KeySpace.luaNames) are the names Java gives the
 * same group, whichever of the group's keys comes first: a script loaded once serves every group.
 */
class KeySpaceIT {
    private final TestStores stores = TestStores.get();

    private static List<String> derived(Jedis jedis, String firstKey) {
        Object reply = jedis.eval(KeySpace.luaNames() + "return {MESSAGE_PREFIX .. '34', PENDING_READ .. '34', EV_PREFIX .. '12',"
                + " VERSION_PREFIX .. '12'}", List.of(firstKey), List.of());
        return Replies.strings(reply);
    }

    @Test
    void scriptsNameTheKeysOfTheirFirstKeysGroup() {
        try (Jedis jedis = stores.cache.redisPool().getResource()) {
            for (KeySpace k : List.of(KeySpace.STANDALONE, KeySpace.group(0), KeySpace.group(255))) {
                List<String> expected = List.of(k.message(34), k.pendingRead(34), k.events(12), k.version(12));
                for (String first : List.of(k.message(9), k.events(9), k.order(9), k.complete(), k.readMarks())) {
                    assertEquals(expected, derived(jedis, first), k + " from " + first);
                }
            }
        }
    }
}
