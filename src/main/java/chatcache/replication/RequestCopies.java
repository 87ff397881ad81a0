package chatcache.replication;

import chatcache.core.Message;
import chatcache.logging.ExceptionText;
import chatcache.message.CopyToCache;
import chatcache.message.MessageCache;
import chatcache.message.MessageStore;
import chatcache.message.Stored;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.List;

/**
 * Copies each change to Redis right after its MySQL commit, in the request that made it, and
 * acknowledges its outbox row so that the relay only deletes it. When Redis fails, the row stays
 * and {@link CacheRelay} copies the change later, from MySQL's state then.
 */
public final class RequestCopies implements CopyToCache {
    private static final Logger log = LoggerFactory.getLogger(RequestCopies.class);

    private final MessageCache cache;
    private final OutboxAcks acks;
    private final CacheSync sync;

    public RequestCopies(MessageStore store, MessageCache cache, OutboxAcks acks) {
        this.cache = cache;
        this.acks = acks;
        this.sync = new CacheSync(store, cache);
    }

    /** why no settle: a post can only be overtaken by a delete, and the cache respects its tombstone. */
    @Override
    public void posted(List<Stored> committed) {
        if (committed.isEmpty()) {
            return;
        }
        attempt(committed.size() + " new messages are", began -> {
            cache.put(committed.stream().map(Stored::message).toList());
            acks.ackAll(committed.stream().map(Stored::outboxId).toList(), began);
        });
    }

    @Override
    public void edited(Stored edited) {
        Message m = edited.message();
        attempt("the edit of message " + m.id() + " is", began -> {
            cache.put(m);
            // an edit can be overtaken by another edit: settle on MySQL's latest text
            sync.settle(m.chatId(), List.of(m));
            acks.ack(edited.outboxId(), began);
        });
    }

    @Override
    public void deleted(Stored deleted) {
        attempt("the delete of message " + deleted.message().id() + " is", began -> {
            cache.removeAll(deleted.message().chatId(), List.of(deleted.message().id()));
            acks.ack(deleted.outboxId(), began);
        });
    }

    @Override
    public void marked(long chatId, Collection<Long> ids, List<Long> outboxIds) {
        if (ids.isEmpty()) {
            return;
        }
        attempt(ids.size() + " read marks are", began -> {
            cache.copyReadMarks(chatId, ids);
            acks.ackAll(outboxIds, began);
        });
    }

    /** @param copy given the {@link System#nanoTime} at which the copy began, for its acknowledgement */
    private static void attempt(String what, java.util.function.LongConsumer copy) {
        try {
            copy.accept(System.nanoTime());
        } catch (RuntimeException e) {
            log.warn("{} in MySQL; the Redis copy waits in the outbox: {}", what, ExceptionText.summary(e));
        }
    }
}
