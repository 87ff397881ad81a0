package chatcache.redis;

import chatcache.core.Message;
import chatcache.message.CacheIncompleteException;
import chatcache.query.MessageOrder;
import chatcache.query.Slice;
import chatcache.rediskit.Transactions;
import chatcache.support.TestStores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bucketed order index against a TreeSet, on the real Redis, with tiny buckets so that they split often. */
class OrderIndexIT {
    private static final int BUCKET = 4;
    private final TestStores stores = TestStores.get();
    /** Chat 77's list, in its group's names. */
    private final String LIST = stores.cache.groups().of(77).order(77);
    private final OrderIndex index = new OrderIndex(BUCKET);

    @BeforeEach
    void reset() {
        stores.reset();
    }

    @Test
    void answersLikeASortedSetThroughRandomAddsAndRemoves() {
        long seed = Long.getLong("chatcache.seed", System.nanoTime());
        Random random = new Random(seed);
        String context = "seed " + seed + " (rerun with -Dchatcache.seed=" + seed + ")";
        TreeSet<String> model = new TreeSet<>();
        List<String> universe = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            // few distinct milliseconds: many keys share one, as bulk imports make them
            universe.add(MessageOrder.sortKey(1_700_000_000_000L + random.nextInt(40), 1 + random.nextInt(1_000_000)));
        }
        try (Jedis jedis = stores.cache.redisPool().getResource()) {
            for (int step = 0; step < 400; step++) {
                List<String> batch = new ArrayList<>();
                for (int i = random.nextInt(6); i >= 0; i--) {
                    batch.add(random.nextInt(5) == 0 ? universe.get(random.nextInt(universe.size())) : newest(random, model, universe));
                }
                String[] keys = batch.toArray(String[]::new);
                if (random.nextInt(3) == 0) {
                    Transactions.run(jedis, "remove", j -> tx -> index.remove(tx, LIST, keys));
                    model.removeAll(batch);
                } else {
                    Transactions.run(jedis, "add", j -> tx -> index.add(tx, LIST, keys));
                    model.addAll(batch);
                }
                if (step % 20 == 0 || step == 399) {
                    check(jedis, model, random, context + ", step " + step);
                }
            }
        }
    }

    /**
     * A load's order: batches of many keys, newest first, each batch below every key already there
     * (one call per batch: the counts of the buckets above shift once per call, many splits in it).
     */
    @Test
    void aLoadAddingLargeBatchesBelowEveryKeyKeepsEveryCount() {
        long seed = Long.getLong("chatcache.seed", System.nanoTime());
        Random random = new Random(seed);
        String context = "seed " + seed + " (rerun with -Dchatcache.seed=" + seed + ")";
        TreeSet<String> model = new TreeSet<>();
        long time = 1_700_000_100_000L;
        try (Jedis jedis = stores.cache.redisPool().getResource()) {
            for (int batch = 0; batch < 12; batch++) {
                List<String> keys = new ArrayList<>();
                for (int i = 20 + random.nextInt(60); i > 0; i--) {
                    time -= random.nextInt(3); // equal times too
                    keys.add(MessageOrder.sortKey(time, 1 + random.nextInt(1_000_000)));
                }
                if (random.nextBoolean()) { // a newest key in the same call, as a post landing with a load
                    keys.add(MessageOrder.sortKey(1_800_000_000_000L + batch, 1));
                }
                Transactions.run(jedis, "add", j -> tx -> index.add(tx, LIST, keys.toArray(String[]::new)));
                model.addAll(keys);
                check(jedis, model, random, context + ", batch " + batch);
            }
        }
    }

    /** Mostly keys newer than every key so far, as live chats write them. */
    private static String newest(Random random, TreeSet<String> model, List<String> universe) {
        long t = 1_700_000_000_100L + model.size() + random.nextInt(3);
        String key = MessageOrder.sortKey(t, 1 + random.nextInt(1_000_000));
        universe.add(key);
        return key;
    }

    private void check(Jedis jedis, TreeSet<String> model, Random random, String context) {
        assertEquals(new ArrayList<>(model), OrderIndex.all(jedis, LIST), context);
        assertEquals(model.size(), OrderIndex.size(jedis, LIST), context);
        List<String> buckets = buckets(jedis);
        for (String bucket : buckets) {
            long n = jedis.zcard(bucket);
            assertTrue(n >= 1 && n <= BUCKET, context + ": " + bucket + " holds " + n);
            assertEquals("listpack", jedis.objectEncoding(bucket), context + ": " + bucket + " holds " + n);
        }
        List<String> cursors = new ArrayList<>(model);
        for (int i = 0; i < 10; i++) {
            cursors.add(MessageOrder.sortKey(1_700_000_000_000L + random.nextInt(500), 1 + random.nextInt(1_000_000)));
        }
        for (int i = 0; i < 30 && !cursors.isEmpty(); i++) {
            String from = cursors.get(random.nextInt(cursors.size()));
            int count = 1 + random.nextInt(12);
            assertEquals(model.headSet(from, false).descendingSet().stream().limit(count).toList(),
                    OrderIndex.older(jedis, LIST, Optional.of(from), count), context + ": older than " + from + ", " + count);
            assertEquals(model.tailSet(from, false).stream().limit(count).toList(),
                    OrderIndex.newer(jedis, LIST, from, count), context + ": newer than " + from + ", " + count);
        }
        int count = 1 + random.nextInt(12);
        assertEquals(model.descendingSet().stream().limit(count).toList(),
                OrderIndex.older(jedis, LIST, Optional.empty(), count), context + ": newest " + count);
        // the counts kept per bucket: how many keys are above any key, in O(log n)
        assertEquals(model.size(), OrderIndex.countAbove(jedis, LIST, ""), context + ": all");
        for (String from : cursors) {
            assertEquals(model.tailSet(from, false).size(), OrderIndex.countAbove(jedis, LIST, from), context + ": above " + from);
        }
        assertEquals(0, OrderIndex.countAbove(jedis, LIST, MessageOrder.sortKey(MessageOrder.MAX_CREATED_AT, 1)), context);
        assertEquals(model.size(), OrderIndex.countAbove(jedis, LIST, MessageOrder.sortKey(0, 1)), context);
    }

    /** The list's buckets: its keys but the directory and the counts hash. */
    private List<String> buckets(Jedis jedis) {
        List<String> keys = OrderIndex.keys(jedis, LIST);
        return keys.subList(1, keys.size()).stream().filter(k -> !k.endsWith("|#")).toList();
    }

    @Test
    void bucketsOfTheDefaultSizeStayListpacks() {
        OrderIndex defaults = new OrderIndex(OrderIndex.DEFAULT_BUCKET_SIZE);
        Random random = new Random(3);
        try (Jedis jedis = stores.cache.redisPool().getResource()) {
            for (int i = 1; i <= 1_000; i++) {
                // newest keys, and every third one somewhere in the middle (splits)
                long t = i % 3 == 0 ? 1_700_000_000_000L + random.nextInt(i) : 1_700_000_000_000L + i;
                String key = MessageOrder.sortKey(t, i);
                Transactions.run(jedis, "add", j -> tx -> defaults.add(tx, LIST, key));
            }
            assertEquals(1_000, OrderIndex.size(jedis, LIST));
            for (String bucket : buckets(jedis)) {
                assertEquals("listpack", jedis.objectEncoding(bucket), bucket + " holds " + jedis.zcard(bucket));
            }
        }
    }

    @Test
    void aListOfNewestKeysFillsEveryBucket() {
        try (Jedis jedis = stores.cache.redisPool().getResource()) {
            for (int i = 1; i <= 40; i++) {
                String key = MessageOrder.sortKey(1_700_000_000_000L + i, i);
                Transactions.run(jedis, "add", j -> tx -> index.add(tx, LIST, key));
            }
            List<String> buckets = buckets(jedis);
            assertEquals(40 / BUCKET, buckets.size(), "full buckets: " + buckets);
            assertEquals(40, OrderIndex.countAbove(jedis, LIST, ""));
        }
    }

    /** why: the read path learns what Redis holds from this check; a wrong answer would serve a partial copy. */
    @Test
    void aGuardedReadAnswersOnlyWhileTheCacheHoldsTheChatAndSaysFromWhere() {
        String key = MessageOrder.sortKey(1_700_000_000_000L, 9);
        try (Jedis jedis = stores.cache.redisPool().getResource()) {
            Transactions.run(jedis, "add", j -> tx -> index.add(tx, LIST, key));
            assertEquals(List.of(key), OrderIndex.olderInHeld(jedis, stores.cache.groups().of(77), 77, LIST, Optional.empty(), 5).keys());
            assertEquals(List.of(), OrderIndex.newerInHeld(jedis, stores.cache.groups().of(77), 77, LIST, key, 5).keys());

            stores.cache.cacheState().markChatRebuilding(77);
            assertThrows(CacheIncompleteException.class, () -> OrderIndex.olderInHeld(jedis, stores.cache.groups().of(77), 77, LIST, Optional.empty(), 5).keys());
            assertThrows(CacheIncompleteException.class, () -> OrderIndex.newerInHeld(jedis, stores.cache.groups().of(77), 77, LIST, key, 5));
            assertEquals(List.of(), OrderIndex.olderInHeld(jedis, stores.cache.groups().of(78), 78, stores.cache.groups().of(78).order(78), Optional.empty(), 5).keys(),
                    "another chat is not being rebuilt");
            assertEquals(List.of(key), OrderIndex.older(jedis, LIST, Optional.empty(), 5), "unguarded reads, for checks");
            stores.cache.cacheState().markChatComplete(77, Optional.empty());
            assertEquals(new OrderIndex.Held("", key, List.of(key)), OrderIndex.olderInHeld(jedis, stores.cache.groups().of(77), 77, LIST, Optional.empty(), 5),
                    "the whole chat held: the boundary is empty");

            jedis.set(stores.cache.groups().of(77).held(77), key);
            assertEquals(new OrderIndex.Held(key, key, List.of(key)), OrderIndex.olderInHeld(jedis, stores.cache.groups().of(77), 77, LIST, Optional.empty(), 5),
                    "the boundary comes with the keys");
            String later = MessageOrder.sortKey(1_700_000_000_001L, 10);
            String latest = MessageOrder.sortKey(1_700_000_000_002L, 11);
            Transactions.run(jedis, "add", j -> tx -> index.add(tx, LIST, later, latest));
            assertEquals(new OrderIndex.Held(key, key, List.of(latest)), OrderIndex.olderInHeld(jedis, stores.cache.groups().of(77), 77, LIST, Optional.empty(), 1),
                    "reading older, the list's oldest key: how far a walk may go");
            assertEquals(new OrderIndex.Held(key, latest, List.of(later)), OrderIndex.newerInHeld(jedis, stores.cache.groups().of(77), 77, LIST, key, 1),
                    "reading newer, its newest");
            Transactions.run(jedis, "remove", j -> tx -> index.remove(tx, LIST, later, latest));
            jedis.del(stores.cache.groups().of(77).held(77));
            assertThrows(CacheIncompleteException.class, () -> OrderIndex.olderInHeld(jedis, stores.cache.groups().of(77), 77, LIST, Optional.empty(), 5),
                    "a chat Redis does not hold");
            jedis.set(stores.cache.groups().of(77).held(77), "");

            stores.cache.cacheState().markAllIncomplete();
            assertThrows(CacheIncompleteException.class, () -> OrderIndex.olderInHeld(jedis, stores.cache.groups().of(78), 78, stores.cache.groups().of(78).order(78), Optional.empty(), 5));
            jedis.scriptFlush();
            assertThrows(CacheIncompleteException.class, () -> OrderIndex.olderInHeld(jedis, stores.cache.groups().of(77), 77, LIST, Optional.empty(), 5),
                    "after reloading a script Redis forgot");
            stores.cache.cacheState().markAllComplete();
            assertEquals(List.of(key), OrderIndex.olderInHeld(jedis, stores.cache.groups().of(77), 77, LIST, Optional.empty(), 5).keys());
        }
    }

    /**
     * why: an unfiltered page of one list (the chat's, or one author's) is read in the order
     * index's own call, keys and messages together; several authors' lists still merge their keys
     * and read the nearest by FT.SEARCH INKEYS. Counted by Redis itself (INFO commandstats).
     */
    @Test
    void anUnfilteredPageOfOneListIsOneCallWithNoSearch() {
        stores.cache.cacheState().markAllComplete();
        try (Jedis jedis = stores.cache.redisPool().getResource()) {
            jedis.set(stores.cache.groups().of(77).held(77), "");
        }
        for (int i = 0; i < 30; i++) {
            stores.cache.redisMessages().put(new Message(100 + i, 77, 1 + i % 3, "m" + i, 1_700_000_000_000L + i, null, false));
        }
        try (Jedis jedis = stores.cache.redisPool().getResource()) {
            jedis.configResetStat();
            List<Message> latest = stores.cache.redisMessages().slice(new Slice(77, Optional.empty(), Slice.Direction.OLDER, Optional.empty(), 10));
            List<Message> byOne = stores.cache.redisMessages().slice(new Slice(77, Optional.of(2L), Slice.Direction.NEWER,
                    Optional.of(new chatcache.query.OrderKey(1_700_000_000_005L, 105)), 4));
            assertEquals(List.of(129L, 128L, 127L, 126L, 125L, 124L, 123L, 122L, 121L, 120L), latest.stream().map(Message::id).toList());
            assertEquals(List.of(107L, 110L, 113L, 116L), byOne.stream().map(Message::id).toList());
            assertEquals("m29", latest.get(0).text());
            String stats = jedis.info("commandstats");
            assertEquals(false, stats.contains("cmdstat_FT.SEARCH:") || stats.contains("cmdstat_ft.search:"), stats);

            stores.cache.redisMessages().slice(new Slice(77, List.of(chatcache.query.Filter.Authors.of(1, 2)), Slice.Direction.OLDER,
                    Optional.empty(), 5));
            String after = jedis.info("commandstats");
            assertEquals(true, after.contains("cmdstat_FT.SEARCH:calls=1,") || after.contains("cmdstat_ft.search:calls=1,"), after);
        }
    }

    @Test
    void redisThatForgotTheScriptIsGivenItAgain() {
        Message m = new Message(5, 77, 3, "hello", 1_700_000_000_000L, null, false);
        try (Jedis jedis = stores.cache.redisPool().getResource()) {
            jedis.scriptFlush();
            stores.cache.redisMessages().put(m);
            jedis.scriptFlush();
            assertEquals(List.of(MessageOrder.sortKey(m.createdAt(), m.id())),
                    OrderIndex.older(jedis, stores.cache.groups().of(77).order(77, 3), Optional.empty(), 5));
            jedis.scriptFlush();
            stores.cache.redisMessages().removeAll(77, List.of(5L));
            assertEquals(0, OrderIndex.size(jedis, LIST));
            assertEquals(0, OrderIndex.size(jedis, stores.cache.groups().of(77).order(77, 3)));
        }
    }
}
