package chatcache.message;

import chatcache.core.Message;
import chatcache.query.Slice;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** One store that can answer queries: MySQL or Redis. {@link Pager} builds pages from these parts. */
public interface MessageBackend {

    /**
     * "mysql" or "redis", as reported to clients in {@code source}; a page of the Redis route
     * says which stores answered it: "redis", "mysql" or "redis+mysql" (see {@link RedisRoute}).
     */
    String name();

    /** The backend one page is read through: this one, or one that remembers what the page read. */
    default MessageBackend forOnePage() {
        return this;
    }

    /** The message with this id, if this store holds it in this chat. */
    Optional<Message> find(long chatId, long messageId);

    /** The messages of a slice, nearest to its start first (see {@link Slice}). */
    List<Message> slice(Slice slice);

    /**
     * Marks these messages read in this store, in one transaction or statement, with what carries
     * the marks to the other store: Redis records them in its read-mark stream; MySQL writes outbox
     * rows and returns their ids, for the caller to copy the marks to Redis at once. All are
     * messages of the chat (a page's): Redis keeps a chat's messages together.
     */
    List<Long> markRead(long chatId, Collection<Long> ids);
}
