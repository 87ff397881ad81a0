package chatcache.fault;

import chatcache.ChatCache;
import chatcache.core.EventId;
import chatcache.events.EventLog;
import chatcache.message.Fallbacks;
import chatcache.message.MessageBackend;
import chatcache.message.Pager;
import chatcache.query.Filter;
import chatcache.query.Position;
import chatcache.query.SearchCriteria;
import chatcache.redis.KeySpace;
import chatcache.redis.RedisEventLog;
import chatcache.rediskit.RedisCluster;
import chatcache.support.OwnCluster;
import chatcache.user.User;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The service on a Redis Cluster of 3 primaries with a replica each, RediSearch 2.10 on every
 * node (issue #26, cluster mode): CHATCACHE_REDIS_CLUSTER_NODES names the nodes, chats are spread
 * over 16 groups (the default there), each group's keys and index in its own slot. Under load
 * (posts, pages that mark messages read), then edits, deletes, a full rebuild and a verify:
 * nothing acknowledged is lost, both stores agree page by page, message hashes lie only on the
 * primaries that own their chats' groups, and no node refused a command (no CROSSSLOT, no script failure but
 * NOSCRIPT and a chat not held or being loaded: a script touching a key of another slot fails).
 * Then the primary of a chat's group killed under load. The 1.2 pass skips it (Debian's 1.2 is not loaded on a cluster).
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class ClusterModeIT {
    private static OwnServers mysql;
    private static OwnCluster cluster;
    private final List<User> users = new ArrayList<>();

    @BeforeAll
    static void startServers() throws Exception {
        String module = System.getenv("CHATCACHE_TEST_REDISEARCH_MODULE");
        assumeTrue(module != null && !module.isBlank() && !module.startsWith("${"), "a RediSearch 2.x module for the cluster's nodes");
        mysql = new OwnServers(false);
        cluster = new OwnCluster();
    }

    @AfterAll
    static void stopServers() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (mysql != null) {
            mysql.close();
        }
    }

    private static Map<String, String> env() {
        return Map.of("CHATCACHE_DB_URL", mysql.jdbcUrl(), "CHATCACHE_DB_USER", "root",
                "CHATCACHE_REDIS_CLUSTER_NODES", cluster.seeds().stream().map(h -> h.getHost() + ":" + h.getPort())
                        .collect(Collectors.joining(",")),
                "CHATCACHE_REDIS_CLUSTER_PASSWORD", OwnCluster.PASSWORD);
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void chatsShardedOverTheClusterLoseNothingAndNoNodeRefusesACommand() throws Exception {
        ChatCache cache = Load.openProgram(env(), users);
        try {
            assertEquals(16, cache.groups().count(), "the cluster's default count of groups");
            Load load = Load.postEditRebuildAndCheck(cache, users, "chats over 16 groups on a 3-primary cluster");
            assertSamePages(cache, users);

            // the events of chats of three groups (three slots, maybe three nodes), from the epoch's start
            RedisEventLog events = new RedisEventLog(cache.redis(), cache.groups());
            String epoch = events.epoch().orElseThrow();
            Map<Long, EventId> fromStart = Map.of(1L, EventId.start(epoch), 2L, EventId.start(epoch), 3L, EventId.start(epoch));
            EventLog.Batch batch = events.read(fromStart, 10, 100);
            assertEquals(Set.of(1L, 2L, 3L), batch.events().keySet(), "each chat's events");

            assertEquals(0, load.failedWrites.get(), "posts refused");
            assertEquals(0, load.failedReads.get(), "pages refused");
            assertEquals(0, cache.messages().fallbacks().count(Fallbacks.Cause.FAILED),
                    "pages Redis failed to answer: " + cache.messages().fallbacks().snapshot());
            assertEveryPrimaryHoldsGroupsAndRefusedNothing(cache);
        } finally {
            cache.close();
        }
    }

    /**
     * The primary of chat 1's group killed (SIGKILL) while two writers and two readers go on, its
     * replica cut off for the last 150 posts before, so that it lacks them: the cluster
     * promotes the lagging replica, the program follows it without a restart (MOVED), and once the
     * dead node is back (empty, made the new primary's replica) everything acknowledged and every
     * read mark a reader was answered with is in both stores, and pages agree. Meanwhile that
     * group's pages are MySQL's, its writes wait in the outbox, and the promoted replica, which
     * has no replica of its own until the node is back, confirms nothing (WAIT for 1 replica, the
     * default): marking pages are MySQL's and outbox rows stay. Checked once by hand: with
     * CHATCACHE_REDIS_WAIT_REPLICAS=0 verify finds messages of chat 1 missing from Redis.
     */
    @Test
    @org.junit.jupiter.api.Order(2)
    void aPrimaryKilledUnderLoadLosesNothingAcknowledged() throws Exception {
        ChatCache cache = Load.openProgram(env(), users);
        try {
            Load load = new Load(cache, users);
            Load.awaitAtLeast("posts", load.acknowledged::size, 200);
            Load.awaitAtLeast("pages", load.reads::get, 100);
            int slot = RedisCluster.slot(cache.groups().of(1).route());
            int victim = cluster.ownerOf(slot);
            int replica = cluster.replicaOf(victim);
            // the replica cut off while the writers go on: what the primary takes meanwhile never
            // reaches it, and dies with the primary
            cluster.cutOff(replica);
            int cutAt = load.acknowledged.size();
            Load.awaitAtLeast("posts while the replica is cut off", load.acknowledged::size, cutAt + 150);
            long killed = System.nanoTime();
            cluster.kill(victim);
            OwnCluster.await("a replica promoted for slot " + slot, () -> cluster.ownerOf(slot) == replica);
            cluster.reconnect(replica);
            double promotedAfter = (System.nanoTime() - killed) / 1e9;
            int posts = load.acknowledged.size();
            int reads = load.reads.get();
            Load.awaitAtLeast("posts after the failover", load.acknowledged::size, posts + 200);
            Load.awaitAtLeast("pages after the failover", load.reads::get, reads + 100);
            cluster.restart(victim);
            double backAfter = (System.nanoTime() - killed) / 1e9;
            Load.awaitAtLeast("posts with the node back", load.acknowledged::size, load.acknowledged.size() + 100);
            load.close();
            System.out.printf("ClusterModeIT: primary %d killed, replica promoted after %.1f s, node back as a replica after %.1f s;"
                    + " fallbacks %s%n", victim, promotedAfter, backAfter, cache.messages().fallbacks().snapshot());
            load.assertNothingLost("a primary of a 3-primary cluster killed under load", false);
            assertSamePages(cache, users);
        } finally {
            cache.close();
        }
    }

    /**
     * The slot of chat 1's group moved to another primary (as {@code redis-cli --cluster reshard}
     * moves it: IMPORTING/MIGRATING, MIGRATE in batches, SETSLOT NODE) while two writers and two
     * readers go on in that group's chats, and a checker reads filtered pages of chat {@code quiet}
     * of the same group, which nobody writes to: every page it gets is exactly what MySQL answers
     * (during the move MySQL's, after it Redis's again once the group's index is built on its new
     * owner, which happens without a restart); nothing acknowledged is lost.
     */
    @Test
    @org.junit.jupiter.api.Order(3)
    void aGroupsSlotMovedUnderLoadKeepsEveryPageExactAndIsIndexedOnItsNewOwner() throws Exception {
        moveUnderLoad("moved by hand", (cache, slot, from, to) -> {
            cluster.beginMove(slot, from, to);
            cluster.finishMove(slot, to);
        });
    }

    /**
     * The same move by {@code cache move-group} ({@link ChatCache#moveGroup}): the group's index is
     * made on the new owner before its keys arrive, so when the move ends it holds every message
     * hash there (FT.INFO num_docs) and no mark holds its pages back.
     */
    @Test
    @org.junit.jupiter.api.Order(4)
    void aGroupMovedByMoveGroupIsIndexedOnItsNewOwnerBeforeItsKeysArrive() throws Exception {
        moveUnderLoad("moved by cache move-group", (cache, slot, from, to) -> {
            KeySpace group = cache.groups().of(1);
            long keys = cache.moveGroup(cache.groups().all().indexOf(group), new redis.clients.jedis.HostAndPort("127.0.0.1", to), n -> { });
            assertTrue(keys > 3_000, "keys moved: " + keys);
            try (Jedis owner = cluster.connect(to)) {
                redis.clients.jedis.commands.ProtocolCommand ftInfo = () -> redis.clients.jedis.util.SafeEncoder.encode("FT.INFO");
                List<?> info = (List<?>) owner.sendCommand(ftInfo, group.index());
                Map<String, String> fields = new HashMap<>();
                for (int i = 0; i + 1 < info.size(); i += 2) {
                    Object v = info.get(i + 1);
                    fields.put(redis.clients.jedis.util.SafeEncoder.encode((byte[]) info.get(i)),
                            v instanceof byte[] b ? redis.clients.jedis.util.SafeEncoder.encode(b) : String.valueOf(v));
                }
                long hashes = owner.clusterGetKeysInSlot(slot, 1_000_000).stream().filter(k -> k.startsWith(group.messagePrefix())).count();
                System.out.println("ClusterModeIT: index on the new owner when the move ended: num_docs " + fields.get("num_docs")
                        + " of " + hashes + " message hashes, indexing " + fields.get("indexing") + " (its scan of the node's other keys)");
                assertEquals(Long.toString(hashes), fields.get("num_docs"), "the index holds every message hash moved");
                assertFalse(owner.exists(group.indexing()), "no mark: the index was whole when the move ended");
            }
        });
    }

    @FunctionalInterface
    private interface Mover {
        void move(ChatCache cache, int slot, int from, int to) throws Exception;
    }

    private void moveUnderLoad(String how, Mover mover) throws Exception {
        ChatCache cache = Load.openProgram(env(), users);
        try {
            KeySpace group = cache.groups().of(1);
            long quiet = java.util.stream.LongStream.rangeClosed(4, 10_000)
                    .filter(c -> cache.groups().of(c).equals(group)).findFirst().orElseThrow();
            // why thousands: the new owner indexes what arrived before its index in the background,
            // long enough for the checker to read while it does
            for (int i = 0; i < 3_000; i++) {
                User author = users.get(i % users.size());
                cache.messages().post(new chatcache.message.NewMessage(quiet, author.id(),
                        (i % 2 == 0 ? "alpha " : "beta ") + "quiet " + i, null));
            }
            cache.cacheRelay().drain();
            List<SearchCriteria> cases = List.of(
                    new SearchCriteria(quiet, Optional.of(users.get(1).id()), 7),
                    new SearchCriteria(quiet, List.of(Filter.Text.of("alpha")), 15, Position.LATEST),
                    new SearchCriteria(quiet, List.of(new Filter.Read(false), Filter.Authors.of(users.get(2).id())), 10, Position.LATEST));
            List<chatcache.message.FetchResult> expected = cases.stream()
                    .map(c -> cache.messages().fetchFrom(cache.mysqlMessages(), c, chatcache.user.Caller.ANONYMOUS)).toList();
            expected.forEach(e -> assertTrue(!e.messages().isEmpty(), "a page to compare"));

            Load load = new Load(cache, users);
            java.util.concurrent.atomic.AtomicBoolean checking = new java.util.concurrent.atomic.AtomicBoolean(true);
            List<String> wrong = java.util.Collections.synchronizedList(new ArrayList<>());
            Map<String, java.util.concurrent.atomic.AtomicInteger> sources = new java.util.concurrent.ConcurrentHashMap<>();
            // when the checker last started a page MySQL answered, and a page by word Redis answered
            // (pages by author are read from the order index and the hashes, without the index)
            SearchCriteria words = cases.get(1);
            java.util.concurrent.atomic.AtomicLong lastMysql = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.atomic.AtomicLong lastRedis = new java.util.concurrent.atomic.AtomicLong();
            Thread checker = new Thread(() -> {
                for (int i = 0; checking.get(); i++) {
                    SearchCriteria c = cases.get(i % cases.size());
                    long started = System.nanoTime();
                    chatcache.message.FetchResult got = cache.messages().fetch(c, chatcache.user.Caller.ANONYMOUS);
                    if (!got.source().equals("redis")) {
                        lastMysql.set(started);
                    } else if (c == words) {
                        lastRedis.set(started);
                    }
                    chatcache.message.FetchResult want = expected.get(i % cases.size());
                    sources.computeIfAbsent(got.source(), k -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
                    if (!got.messages().equals(want.messages()) || got.hasOlder() != want.hasOlder()) {
                        wrong.add(c + " from " + got.source() + ": " + got.messages().size() + " messages, " + want.messages().size() + " expected");
                    }
                }
            }, "checker");
            checker.start();
            Load.awaitAtLeast("posts", load.acknowledged::size, 100);

            int slot = RedisCluster.slot(group.route());
            int from = cluster.ownerOf(slot);
            int to = cluster.otherPrimary(from);
            long moving = System.nanoTime();
            mover.move(cache, slot, from, to);
            double movedAfter = (System.nanoTime() - moving) / 1e9;
            long moved = System.nanoTime();
            // the group's filtered pages Redis's again: its index built on the new owner
            OwnCluster.await("chat " + quiet + "'s pages by word answered by Redis after the move", () -> lastRedis.get() > moved);
            double redisAgainAfter = (System.nanoTime() - moving) / 1e9;
            int posts = load.acknowledged.size();
            Load.awaitAtLeast("posts after the move", load.acknowledged::size, posts + 100);
            load.close();
            checking.set(false);
            checker.join();
            System.out.printf("ClusterModeIT: slot %d " + how + " from %d to %d in %.1f s, chat %d's pages by word Redis's again"
                            + " %.2f s after (the last MySQL answered began %.2f s after); checker's pages by source %s; fallbacks %s%n",
                    slot, from, to, movedAfter, quiet, redisAgainAfter - movedAfter, (lastMysql.get() - moved) / 1e9, sources,
                    cache.messages().fallbacks().snapshot());
            assertEquals(List.of(), wrong, "pages of chat " + quiet + " that differ from MySQL's");
            assertTrue(sources.getOrDefault("redis", new java.util.concurrent.atomic.AtomicInteger()).get() > 0, "pages Redis answered: " + sources);
            try (Jedis owner = cluster.connect(to)) {
                redis.clients.jedis.commands.ProtocolCommand info = () -> redis.clients.jedis.util.SafeEncoder.encode("FT.INFO");
                owner.sendCommand(info, group.index()); // throws "No such index" unless it is there
                assertTrue(!owner.exists(group.indexing()), "the group's index is built on its new owner");
            }
            load.assertNothingLost("a group's slot " + how + " under load", false);
            assertSamePages(cache, users);
        } finally {
            cache.close();
        }
    }

    /** Pages of each chat (latest, by author, by word, read state, and the next page) the same from both stores. */
    private static void assertSamePages(ChatCache cache, List<User> users) {
        MessageBackend mysqlSide = cache.mysqlMessages();
        MessageBackend redisSide = cache.redisRoute();
        int compared = 0;
        for (long chat = 1; chat <= 3; chat++) {
            List<SearchCriteria> cases = new ArrayList<>(List.of(
                    new SearchCriteria(chat, Optional.empty(), 20),
                    new SearchCriteria(chat, Optional.of(users.get(1).id()), 7),
                    new SearchCriteria(chat, List.of(Filter.Text.of("load")), 15, Position.LATEST),
                    new SearchCriteria(chat, List.of(new Filter.Read(false)), 10, Position.LATEST)));
            for (SearchCriteria c : cases) {
                var fromMysql = Pager.page(mysqlSide, c);
                assertEquals(fromMysql, Pager.page(redisSide, c), "chat " + chat + ": " + c);
                assertTrue(!fromMysql.messages().isEmpty() || !c.filters().isEmpty(), "a page to compare: " + c);
                compared++;
            }
        }
        System.out.println("ClusterModeIT: " + compared + " pages alike from MySQL and the cluster");
    }

    /** The number after {@code field=} (or {@code field:}) on the line starting with {@code line}, 0 without one. */
    private static long count(String info, String line, String field) {
        return info.lines().filter(l -> l.startsWith(line)).findFirst()
                .map(l -> java.util.regex.Pattern.compile(field + "=(\\d+)").matcher(l.replace(line, "").replace("count:", "count=")))
                .filter(java.util.regex.Matcher::find).map(m -> Long.parseLong(m.group(1))).orElse(0L);
    }

    private static void assertEveryPrimaryHoldsGroupsAndRefusedNothing(ChatCache cache) {
        Set<String> groupsSeen = new HashSet<>();
        Map<Integer, Integer> messagesByPrimary = new HashMap<>();
        StringBuilder refusals = new StringBuilder();
        for (var node : cluster.seeds()) {
            try (Jedis jedis = cluster.connect(node.getPort())) {
                if (!cluster.isPrimary(node.getPort())) {
                    continue;
                }
                int messages = 0;
                String cursor = ScanParams.SCAN_POINTER_START;
                do {
                    var page = jedis.scan(cursor, new ScanParams().match("messages:*").count(1000));
                    for (String key : page.getResult()) {
                        messages++;
                        groupsSeen.add(key.substring(key.indexOf('{'), key.indexOf('}') + 1));
                    }
                    cursor = page.getCursor();
                } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
                messagesByPrimary.put(node.getPort(), messages);
                String errors = jedis.info("errorstats");
                String commands = jedis.info("commandstats");
                System.out.println("ClusterModeIT: node " + node.getPort() + ": " + errors.replaceAll("\\s+", " ") + " "
                        + commands.lines().filter(l -> l.matches(".*(rejected_calls|failed_calls)=[1-9].*")).collect(Collectors.joining("; ")));
                // why these: a script that touched a key of another slot fails as ERR, counted among its
                // command's failed calls; the expected failures are a script Redis did not know yet
                // (NOSCRIPT: loaded then) and a chat Redis does not hold, or not yet whole (NOTHELD,
                // INCOMPLETE: MySQL answers)
                long scriptFailures = count(commands, "cmdstat_evalsha:", "failed_calls") + count(commands, "cmdstat_eval:", "failed_calls");
                long expected = count(errors, "errorstat_NOSCRIPT:", "count") + count(errors, "errorstat_NOTHELD:", "count")
                        + count(errors, "errorstat_INCOMPLETE:", "count");
                if (errors.contains("CROSSSLOT") || scriptFailures > expected) {
                    refusals.append(node.getPort()).append(": ").append(errors.replaceAll("\\s+", " "))
                            .append(", scripts failed ").append(scriptFailures).append(" times; ");
                }
            }
        }
        System.out.println("ClusterModeIT: message hashes by primary " + messagesByPrimary + ", groups " + groupsSeen);
        assertEquals(3, messagesByPrimary.size(), "three primaries");
        Set<String> chatsGroups = new HashSet<>();
        Set<Integer> owners = new HashSet<>();
        for (long chat = 1; chat <= 3; chat++) {
            KeySpace keys = cache.groups().of(chat);
            chatsGroups.add(keys.tag());
            owners.add(cluster.ownerOf(RedisCluster.slot(keys.route())));
        }
        messagesByPrimary.forEach((port, n) -> assertEquals(owners.contains(port), n > 0,
                "message hashes on primary " + port + " (owners of the chats' groups: " + owners + "): " + messagesByPrimary));
        assertEquals(chatsGroups, groupsSeen, "message hashes only in the groups of the chats posted to");
        assertEquals("", refusals.toString(), "commands a node refused");
    }
}
