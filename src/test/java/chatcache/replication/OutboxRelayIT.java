package chatcache.replication;

import chatcache.message.MessageStore;
import chatcache.message.NewMessage;
import chatcache.mysql.MySqlMessages;
import chatcache.support.TestStores;
import chatcache.user.Role;
import chatcache.user.User;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The outbox relay of several instances at once: each takes a batch no other is working on, a
 * batch is deleted only when its copy returned, and taking a batch does not hold up posts.
 */
class OutboxRelayIT {
    private final TestStores stores = TestStores.get();
    private MySqlMessages mysql;
    private User alice;

    @BeforeEach
    void empty() {
        stores.reset();
        mysql = stores.cache.mysqlMessages();
        alice = stores.userOnly("alice", Role.USER);
    }

    /** Committed posts whose outbox rows nobody acknowledged (as after a crash before the Redis copy). */
    private void unacknowledgedPosts(int n) {
        List<MessageStore.Draft> drafts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            drafts.add(new MessageStore.Draft(new NewMessage(1, alice.id(), "m" + i, null), 1_000 + i));
        }
        mysql.insertAll(drafts);
    }

    @Test
    void twoRelaysAtOnceTakeDisjointBatchesWithoutWaitingForEachOther() throws Exception {
        unacknowledgedPosts(200);
        CountDownLatch bothHoldABatch = new CountDownLatch(2);
        List<Set<Long>> taken = List.of(new HashSet<>(), new HashSet<>());
        List<CompletableFuture<Boolean>> relays = new ArrayList<>();
        // why threads of its own: the common pool has one worker on two cores, which runs the relays one after the other
        java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
        for (int r = 0; r < 2; r++) {
            Set<Long> mine = taken.get(r);
            relays.add(CompletableFuture.supplyAsync(() -> {
                boolean[] met = new boolean[1];
                mysql.relayOutbox(Long.MAX_VALUE, 50, batch -> {
                    batch.forEach(e -> mine.add(e.id()));
                    bothHoldABatch.countDown();
                    try {
                        // the other relay takes its batch while this one still holds its own
                        met[0] = bothHoldABatch.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                return met[0];
            }, two));
        }
        two.shutdown();
        for (CompletableFuture<Boolean> relay : relays) {
            assertTrue(relay.get(30, TimeUnit.SECONDS), "both relays held a batch at the same time");
        }
        assertEquals(50, taken.get(0).size());
        assertEquals(50, taken.get(1).size());
        Set<Long> both = new HashSet<>(taken.get(0));
        both.retainAll(taken.get(1));
        assertEquals(Set.of(), both, "no outbox row taken twice");
        assertEquals(100, mysql.outboxSize(), "each batch deleted once copied");
    }

    @Test
    void aBatchWhoseCopyFailsStaysForTheNextRound() {
        unacknowledgedPosts(10);
        assertThrows(IllegalStateException.class, () -> mysql.relayOutbox(Long.MAX_VALUE, 50, batch -> {
            throw new IllegalStateException("Redis went away");
        }));
        assertEquals(10, mysql.outboxSize());
        assertEquals(10, mysql.relayOutbox(Long.MAX_VALUE, 50, batch -> { }));
        assertEquals(0, mysql.outboxSize());
    }

    @Test
    void aPostIsNotHeldUpByARelayHoldingTheWholeOutbox() throws Exception {
        unacknowledgedPosts(10);
        mysql.relayOutbox(Long.MAX_VALUE, 50, batch -> {
            // why: under REPEATABLE READ the relay's locking read would also lock the gap after
            // the last row, and this INSERT of an outbox row would wait for the relay's commit
            CompletableFuture<Void> post = CompletableFuture.runAsync(() -> unacknowledgedPosts(1));
            try {
                post.get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("a post waited for the relay's batch: " + e, e);
            }
        });
        assertEquals(1, mysql.outboxSize(), "the post's own row is left for a later round");
    }
}
