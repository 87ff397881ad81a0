package chatcache.redis;

import chatcache.support.TestStores;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.Pool;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** chatcache alone decides what Redis drops: a Redis that may evict keys on its own is refused at start. */
class EvictionPolicyIT {
    private final Pool<Jedis> pool = TestStores.get().cache.redisPool();

    @Test
    void aRedisThatMayEvictKeysOnItsOwnIsRefusedAtStartWithTheSettingNamed() {
        try (Jedis jedis = pool.getResource()) {
            String before = jedis.configGet("maxmemory-policy").get("maxmemory-policy");
            assertEquals("noeviction", before, "the test servers run with Redis's default");
            try {
                for (String policy : List.of("allkeys-lru", "volatile-ttl", "allkeys-random")) {
                    jedis.configSet("maxmemory-policy", policy);
                    IllegalStateException e = assertThrows(IllegalStateException.class, () -> SearchIndex.prepare(new chatcache.rediskit.Redis(pool), chatcache.redis.ChatGroups.standalone()), policy);
                    assertTrue(e.getMessage().startsWith("Redis runs with maxmemory-policy " + policy + ","), e.getMessage());
                    assertTrue(e.getMessage().contains("chatcache needs maxmemory-policy noeviction"), e.getMessage());
                }
            } finally {
                jedis.configSet("maxmemory-policy", before);
            }
            SearchIndex.prepare(new chatcache.rediskit.Redis(pool), chatcache.redis.ChatGroups.standalone()); // and with noeviction it starts
        }
    }
}
