package chatcache.redis;

import chatcache.support.TestStores;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.util.SafeEncoder;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * chatcache's connections to Redis speak RESP2: RediSearch 1.2's replies cannot be read as RESP3,
 * and Jedis's newer clients negotiate RESP3 unless told otherwise.
 */
class RedisProtocolIT {

    @Test
    void theConnectionsOfThePoolSpeakResp2() {
        try (Jedis jedis = TestStores.get().cache.redisPool().getResource()) {
            String info = SafeEncoder.encode((byte[]) jedis.sendCommand(Protocol.Command.CLIENT, "INFO"));
            assertTrue((" " + info.strip() + " ").contains(" resp=2 "), info);
        }
    }
}
