package chatcache.message;

import chatcache.core.Message;
import chatcache.query.SearchCriteria;
import chatcache.support.TestStores;
import chatcache.user.Caller;
import chatcache.user.Role;
import chatcache.user.User;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The program "dies" right after the MySQL commit and before the Redis write: a hook at exactly
 * that point throws, so nothing after it runs. The outbox entry committed with the message is
 * what brings it to Redis when the relay next runs (as it does after a restart).
 */
class CrashAfterCommitIT {
    private final TestStores stores = TestStores.get();
    private User alice;
    private User bob;

    /** Stands for the process ending between the two writes. */
    static final class Died extends RuntimeException {
        Died() {
            super("died after the commit");
        }
    }

    @BeforeEach
    void empty() {
        stores.reset();
        alice = stores.userOnly("alice", Role.USER);
        bob = stores.userOnly("bob", Role.USER);
    }

    @Test
    void aMessageCommittedJustBeforeADeathReachesRedisThroughTheOutbox() {
        MessageService dying = new MessageService(stores.clock, stores.cache.mysqlMessages(), stores.cache.redisMessages(),
                stores.cache.replication().requestCopies(), stores.cache.mysqlMessages(), stores.cache.redisMessages(),
                message -> {
                    throw new Died();
                });
        List<Long> committed = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            stores.clock.advance(1);
            assertThrows(Died.class, () -> dying.post(new NewMessage(1, alice.id(), "last words", null)));
        }
        Message survivor = stores.cache.messages().post(new NewMessage(1, bob.id(), "written normally", null));
        SearchCriteria chat = new SearchCriteria(1, Optional.empty(), 20);
        Page inMysql = Pager.page(stores.cache.mysqlMessages(), chat);
        inMysql.messages().forEach(m -> committed.add(m.id()));
        assertEquals(6, committed.size(), "every message was committed");
        assertEquals(List.of(survivor), Pager.page(stores.cache.redisMessages(), chat).messages(), "but only one cached");

        stores.cache.cacheRelay().drain();
        assertEquals(inMysql, Pager.page(stores.cache.redisMessages(), chat));
        assertEquals(0, stores.cache.mysqlMessages().outboxSize());
        System.out.println("CrashAfterCommitIT: " + committed.size() + " messages committed, "
                + Pager.page(stores.cache.redisMessages(), chat).messages().size() + " in Redis after the relay");
    }

    @Test
    void reSendingNeverUnmarksAMessageReadMeanwhile() {
        MessageService dying = new MessageService(stores.clock, stores.cache.mysqlMessages(), stores.cache.redisMessages(),
                stores.cache.replication().requestCopies(), stores.cache.mysqlMessages(), stores.cache.redisMessages(),
                message -> {
                    throw new Died();
                });
        assertThrows(Died.class, () -> dying.post(new NewMessage(1, alice.id(), "x", null)));
        Message normal = stores.cache.messages().post(new NewMessage(1, alice.id(), "y", null));
        SearchCriteria chat = new SearchCriteria(1, Optional.empty(), 20);
        // bob reads through Redis: the cached message becomes read there; MySQL learns it via the stream
        stores.cache.messages().fetchFrom(stores.cache.redisMessages(), chat, Caller.of(bob));
        // an outbox re-send of the same message (as after a crash) carries MySQL's older state
        stores.cache.redisMessages().putAll(stores.cache.mysqlMessages().load(List.of(normal.id())));
        stores.cache.cacheRelay().drain();
        stores.cache.readMarks().drain();
        Page redis = Pager.page(stores.cache.redisMessages(), chat);
        assertEquals(true, redis.messages().stream().filter(m -> m.id() == normal.id()).findFirst().orElseThrow().read());
        assertEquals(Pager.page(stores.cache.mysqlMessages(), chat), redis);
    }
}
