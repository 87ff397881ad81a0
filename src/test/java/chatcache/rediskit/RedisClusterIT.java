package chatcache.rediskit;

import chatcache.core.BackendUnavailableException;
import chatcache.support.OwnCluster;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Response;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The toolkit on a Redis Cluster of the test's own (3 primaries, 3 replicas): work for one hash
 * tag runs on its slot's owner (pipelines, transactions, scripts, RediSearch's commands by index
 * name), a slot moved by hand is followed, a slot being moved fails as Redis unavailable (never a
 * half-done answer), and a killed primary is followed to its promoted replica.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisClusterIT {
    /** A script with a key and an answer: PEXPIRE if the holder matches (the lease's renewal). */
    private static final LuaScript DERIVED = LuaScript.load("lease-renew");
    private static OwnCluster servers;
    private static RedisCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        servers = new OwnCluster();
        cluster = new RedisCluster(servers.seeds(), OwnCluster.client(), new GenericObjectPoolConfig<Connection>());
    }

    @AfterAll
    static void stop() {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            if (servers != null) {
                servers.close();
            }
        }
    }

    private static String myPort(Jedis jedis) {
        return jedis.configGet("port").get("port");
    }

    @Test
    @Order(1)
    void workForOneTagRunsOnTheOwnerOfItsSlot() {
        for (int g = 0; g < 12; g++) {
            String tag = "{g" + g + "}";
            int slot = RedisCluster.slot("chats:" + tag + ":1");
            assertEquals(slot, RedisCluster.slot("messages:" + tag + ":99"), "one tag, one slot");
            String port = cluster.onSlotOf("x" + tag, "test", RedisClusterIT::myPort);
            assertEquals(Integer.toString(servers.ownerOf(slot)), port, tag + " ran on its slot's owner");
            List<String> answer = cluster.onSlotOf("x" + tag, "test", jedis -> Pipelines.run(jedis, q -> {
                q.set("a:" + tag, "1", new redis.clients.jedis.params.SetParams());
                Response<Object> renewed = q.script(DERIVED, List.of("a:" + tag), List.of("1", "60000"));
                return () -> List.of(String.valueOf(renewed.get()));
            }));
            assertEquals(List.of("1"), answer, "a pipelined script on the slot's node");
            boolean executed = cluster.onSlotOf("x" + tag, "test", jedis -> Transactions.run(jedis, "test",
                    j -> q -> q.set("b:" + tag, "2", new redis.clients.jedis.params.SetParams())));
            assertTrue(executed, "a transaction on the slot's node");
        }
    }

    @Test
    @Order(2)
    void anIndexIsFoundOnTheNodeOfItsNamesSlot() {
        assumeTrue(servers.hasSearch(), "RediSearch 2.x pass only");
        String index = "idx:{g3}";
        cluster.onSlotOf(index, "test", jedis -> jedis.sendCommand(SearchCommandForTest.CREATE, index, "ON", "HASH",
                "PREFIX", "1", "m:{g3}:", "SCHEMA", "t", "TAG"));
        for (int i = 0; i < 5; i++) {
            int n = i;
            cluster.onSlotOf("m:{g3}:" + i, "test", jedis -> jedis.hset("m:{g3}:" + n, "t", n % 2 == 0 ? "red" : "blue"));
        }
        Object found = cluster.onSlotOf(index, "test", jedis -> jedis.sendCommand(SearchCommandForTest.SEARCH, index,
                "@t:{red}", "NOCONTENT"));
        assertEquals(3L, ((List<?>) found).get(0), "the three red documents, on the index's node");
    }

    @Test
    @Order(3)
    void aSlotMovedIsFollowedAndItsScriptsLoadedThere() {
        String key = "lease:{g5}";
        int slot = RedisCluster.slot(key);
        cluster.onSlotOf(key, "test", jedis -> jedis.set(key, "me"));
        assertEquals((Object) 1L, cluster.onSlotOf(key, "test", jedis -> DERIVED.eval(jedis, List.of(key), List.of("me", "60000"))));
        int from = servers.ownerOf(slot);
        int to = servers.otherPrimary(from);

        servers.beginMove(slot, from, to);
        BackendUnavailableException moving = assertThrows(BackendUnavailableException.class,
                () -> cluster.onSlotOf(key, "test", jedis -> jedis.get(key)));
        assertTrue(moving.getMessage().contains("ASK"), "a key already moved is not looked for on its old node: " + moving.getMessage());

        servers.finishMove(slot, to);
        assertEquals("me", cluster.onSlotOf(key, "test", jedis -> jedis.get(key)), "the moved key, found on its new owner");
        assertEquals(Integer.toString(to), cluster.onSlotOf(key, "test", RedisClusterIT::myPort));
        // the new owner has never seen the script: loaded there by the call
        assertEquals((Object) 1L, cluster.onSlotOf(key, "test", jedis -> DERIVED.eval(jedis, List.of(key), List.of("me", "60000"))));
    }

    @Test
    @Order(4)
    void aKilledPrimaryIsFollowedToItsPromotedReplica() throws Exception {
        String key = "k:{g7}";
        int slot = RedisCluster.slot(key);
        long replicated = cluster.onSlotOf(key, "test", jedis -> {
            jedis.set(key, "kept");
            return jedis.waitReplicas(1, 5_000);
        });
        assertEquals(1L, replicated, "the replica has the key before its primary dies");
        int dead = servers.ownerOf(slot);
        servers.kill(dead);
        assertThrows(BackendUnavailableException.class, () -> cluster.onSlotOf(key, "test", jedis -> jedis.get(key)),
                "while no primary owns the slot, Redis is unavailable");
        long killed = System.nanoTime();
        OwnCluster.await("the replica promoted and found", () -> {
            try {
                return "kept".equals(cluster.onSlotOf(key, "test", jedis -> jedis.get(key)));
            } catch (BackendUnavailableException e) {
                return false; // the slot's owner is dead until its replica takes over
            }
        });
        System.out.printf("RedisClusterIT: slot %d answered by its promoted replica %d ms after its primary was killed%n",
                slot, (System.nanoTime() - killed) / 1_000_000);
        assertTrue(servers.ownerOf(slot) != dead);
    }

    /** RediSearch's commands by name, as the service sends them (redis.SearchCommand is the adapters'). */
    private enum SearchCommandForTest implements redis.clients.jedis.commands.ProtocolCommand {
        CREATE("FT.CREATE"), SEARCH("FT.SEARCH");

        private final byte[] raw;

        SearchCommandForTest(String name) {
            this.raw = redis.clients.jedis.util.SafeEncoder.encode(name);
        }

        @Override
        public byte[] getRaw() {
            return raw;
        }
    }
}
