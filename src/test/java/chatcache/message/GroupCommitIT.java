package chatcache.message;

import chatcache.core.Message;
import chatcache.query.SearchCriteria;
import chatcache.support.TestStores;
import chatcache.user.Role;
import chatcache.user.User;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Concurrent posts share transactions; each request still gets back its own message, stored in both. */
class GroupCommitIT {
    private final TestStores stores = TestStores.get();
    private User alice;

    @BeforeEach
    void empty() {
        stores.reset();
        alice = stores.userOnly("alice", Role.USER);
    }

    @Test
    void concurrentPostsEachGetTheirOwnIdAndReachBothStores() throws Exception {
        int threads = 16;
        int perThread = 40;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<Message>>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            results.add(pool.submit(() -> {
                start.await();
                List<Message> mine = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                    mine.add(stores.cache.messages().post(new NewMessage(1 + thread % 3, alice.id(), "t" + thread + " m" + i, null)));
                }
                return mine;
            }));
        }
        start.countDown();
        Map<Long, Message> returned = new HashMap<>();
        for (Future<List<Message>> f : results) {
            for (Message m : f.get(60, TimeUnit.SECONDS)) {
                returned.put(m.id(), m);
            }
        }
        pool.shutdown();
        assertEquals(threads * perThread, returned.size(), "every post got an id of its own");
        // the id each request was given is the row holding its text, in MySQL and in Redis
        Map<Long, Message> inMysql = new HashMap<>();
        stores.cache.mysqlMessages().load(returned.keySet()).forEach(m -> inMysql.put(m.id(), m));
        assertEquals(returned, inMysql);
        assertEquals(returned, chatcache.support.RedisCopies.of(stores.cache, returned.keySet()));
        for (long chat = 1; chat <= 3; chat++) {
            SearchCriteria c = new SearchCriteria(chat, Optional.empty(), 100);
            assertEquals(Pager.page(stores.cache.mysqlMessages(), c), Pager.page(stores.cache.redisMessages(), c));
        }
        // every outbox row was acknowledged by the request path: the relay has nothing to re-send
        stores.cache.mysqlMessages().clearOutbox(stores.cache.outboxAcks().take(10_000).stream()
                .map(chatcache.replication.OutboxAcks.Ack::outboxId).toList());
        assertEquals(0, stores.cache.mysqlMessages().outboxSize());
    }
}
