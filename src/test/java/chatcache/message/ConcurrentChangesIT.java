package chatcache.message;

import chatcache.core.Message;
import chatcache.query.SearchCriteria;
import chatcache.replication.CacheRebuild;
import chatcache.support.FreshStores;
import chatcache.user.Role;
import chatcache.user.User;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Changes that overtake each other between their MySQL commit and their Redis write. The
 * interleavings are made exact with the hook that runs right after a commit: the overtaking
 * change runs inside it, so no timing is involved.
 */
class ConcurrentChangesIT extends FreshStores {
    private MessageService withHook(MessageService.AfterCommit hook) {
        return new MessageService(stores.clock, stores.cache.mysqlMessages(), stores.cache.redisMessages(),
                stores.cache.replication().requestCopies(), stores.cache.mysqlMessages(),
                stores.cache.redisMessages(), hook);
    }

    private void assertStoresAgree() {
        stores.cache.readMarks().drain();
        stores.cache.cacheRelay().drain();
        SearchCriteria chat = new SearchCriteria(1, Optional.empty(), 100);
        assertEquals(Pager.page(stores.cache.mysqlMessages(), chat), Pager.page(stores.cache.redisMessages(), chat));
        assertEquals(List.of(), stores.cache.rebuild().verify(Optional.empty(), CacheRebuild.Progress.NONE));
    }

    /** Whether Redis holds a hash of the message (any hash: a stub of a few fields counts). */
    private boolean heldInRedis(Message m) {
        return stores.redisOf(m.chatId()).call((jedis, keys) -> jedis.exists(keys.message(m.id())));
    }

    @Test
    void aDeleteThatOvertakesAnEditIsNotUndoneByTheEditsLateCopy() {
        Message m = stores.cache.messages().post(new NewMessage(1, alice.id(), "original", null));
        MessageService editing = withHook(committed -> stores.cache.messages().delete(1, m.id(), alice));
        editing.edit(1, m.id(), "edited", alice, true);
        assertFalse(heldInRedis(m), "the deleted message must not come back");
        assertStoresAgree();
    }

    @Test
    void anEditThatOvertakesAnotherEditWinsInBothStores() {
        Message m = stores.cache.messages().post(new NewMessage(1, alice.id(), "original", null));
        MessageService editing = withHook(committed -> stores.cache.messages().edit(1, m.id(), "second edit", alice, true));
        editing.edit(1, m.id(), "first edit", alice, true);
        assertEquals("second edit", stores.cache.redisMessages().getAll(m.chatId(), List.of(m.id())).get(m.id()).text());
        assertStoresAgree();
    }

    @Test
    void aDeleteThatOvertakesThePostsOwnCopyLeavesNothingBehind() {
        MessageService posting = withHook(committed -> stores.cache.messages().delete(1, committed.id(), alice));
        Message m = posting.post(new NewMessage(1, alice.id(), "gone at once", null));
        assertFalse(heldInRedis(m));
        assertStoresAgree();
    }

    @Test
    void aReadMarkArrivingAfterADeleteNeverLeavesAStubHash() {
        Message m = stores.cache.messages().post(new NewMessage(1, alice.id(), "read, then deleted", null));
        stores.cache.messages().delete(1, m.id(), alice);
        // the marks of a fetch that returned the message just before the delete, arriving late
        stores.cache.redisMessages().markRead(m.chatId(), List.of(m.id()));
        stores.cache.redisMessages().copyReadMarks(m.chatId(), List.of(m.id()));
        assertFalse(heldInRedis(m), "no stub hash holding only read");
        assertStoresAgree();
    }

    @Test
    void everyOutboxRowOfARequestThatReachedRedisIsAcknowledged() {
        stores.cache.messages().post(new NewMessage(1, alice.id(), "for the API reader", null));
        User api = stores.userOnly("backoffice", Role.API);
        stores.cache.messages().fetch(new SearchCriteria(1, Optional.empty(), 20), chatcache.user.Caller.of(api));
        long rows = stores.cache.mysqlMessages().outboxSize();
        assertEquals(2, rows, "one row for the post, one for the API reader's mark");
        List<Long> acknowledged = stores.cache.outboxAcks().take(100).stream().map(chatcache.replication.OutboxAcks.Ack::outboxId).toList();
        stores.cache.mysqlMessages().clearOutbox(acknowledged);
        assertEquals(0, stores.cache.mysqlMessages().outboxSize(), "nothing left for the relay to re-send");
        assertStoresAgree();
    }
}
