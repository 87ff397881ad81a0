package chatcache.fault;

import chatcache.ChatCache;
import chatcache.core.EventId;
import chatcache.events.EventLog;
import chatcache.message.Fallbacks;
import chatcache.redis.RedisEventLog;
import chatcache.user.User;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Chats over 4 groups (CHATCACHE_REDIS_INDEX_GROUPS) on a Redis that is the one node of a Redis
 * Cluster (issue #26): like every cluster node, it refuses a command, a WATCH, a transaction or a
 * script's declared keys that lie in two slots (CROSSSLOT), while one connection still reaches
 * every slot. Under load (posts, pages that mark messages read), then edits, deletes, a full
 * rebuild, a verify and a read of several groups' event streams, Redis refused nothing (no CROSSSLOT, no command with rejected calls), no
 * page fell back to MySQL for a failure, and both stores agree. Not seen here: a script touching
 * an undeclared key of another slot, which Redis 7.0 refuses only when another node owns it
 * (measured); scripts derive names only from their first key's tag (KeySpaceIT).
 */
class OneClusterNodeIT {
    private static OwnServers servers;
    private final List<User> users = new ArrayList<>();

    @BeforeAll
    static void startServers() throws Exception {
        servers = new OwnServers(false);
        servers.startClusterNode();
    }

    @AfterAll
    static void stopServers() throws Exception {
        if (servers != null) {
            servers.close();
        }
    }

    @Test
    void everyScriptTransactionAndCommandOfTheServiceNamesOneGroupsSlot() throws Exception {
        Map<String, String> env = Map.of("CHATCACHE_DB_URL", servers.jdbcUrl(), "CHATCACHE_DB_USER", "root",
                "CHATCACHE_REDIS_URL", servers.redisUrl(), "CHATCACHE_REDIS_INDEX_GROUPS", "4");
        ChatCache cache = Load.openProgram(env, users);
        try {
            Load load = Load.postEditRebuildAndCheck(cache, users, "chats over 4 groups on a cluster node");

            // the events of chats of three groups, from the start of the epoch, in one read
            RedisEventLog events = new RedisEventLog(cache.redis(), cache.groups());
            String epoch = events.epoch().orElseThrow();
            Map<Long, EventId> fromStart = Map.of(1L, EventId.start(epoch), 2L, EventId.start(epoch), 3L, EventId.start(epoch));
            EventLog.Batch batch = events.read(fromStart, 10, 100);
            assertEquals(Optional.of(epoch), batch.epoch());
            assertEquals(java.util.Set.of(1L, 2L, 3L), batch.events().keySet(), "each chat's events");
            Map<Long, EventId> atTheEnd = new java.util.HashMap<>();
            fromStart.keySet().forEach(chat -> atTheEnd.put(chat, events.tail(epoch, chat)));
            assertEquals(Map.of(), events.read(atTheEnd, 10, 100).events(), "nothing after the newest");

            assertEquals(0, load.failedWrites.get(), "posts refused");
            assertEquals(0, load.failedReads.get(), "pages refused");
            assertEquals(0, cache.messages().fallbacks().count(Fallbacks.Cause.FAILED),
                    "pages Redis failed to answer: " + cache.messages().fallbacks().snapshot());
            try (Jedis jedis = new Jedis("127.0.0.1", servers.redisPort)) {
                String errors = jedis.info("errorstats");
                System.out.println("OneClusterNodeIT: " + load.acknowledged.size() + " posts kept, " + load.reads.get()
                        + " pages; Redis's errors: " + errors.replaceAll("\\s+", " ").strip());
                // which commands: Redis counts refusals (rejected_calls) and failures (failed_calls) per command
                String refused = jedis.info("commandstats").lines()
                        .filter(l -> l.matches(".*(rejected_calls=[1-9]|failed_calls=[1-9]).*")).collect(Collectors.joining("\n"));
                boolean rejected = refused.lines().anyMatch(l -> l.matches(".*rejected_calls=[1-9].*"));
                assertTrue(!errors.contains("errorstat_CROSSSLOT") && !rejected, errors + "\n" + refused);
            }
        } finally {
            cache.close();
        }
    }
}
