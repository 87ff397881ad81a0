package chatcache.message;

import chatcache.core.Message;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The queryable copy of messages (Redis). */
public interface MessageCache {
    /**
     * Writes the message and keeps the search index in step with it, unless it was removed in the
     * last minutes (a delete that overtook this write). Idempotent; never unmarks a read.
     */
    default void put(Message message) {
        put(List.of(message));
    }

    /** {@link #put(Message)} for many messages, in one round of writes. */
    void put(List<Message> messages);

    /**
     * The chat's version, which every change the cache makes to the chat's messages moves on, read
     * with the check that the cache holds all of the chat (empty when it does not): {@link HotPages}.
     * Throws BackendUnavailableException when the cache cannot say.
     */
    java.util.OptionalLong version(long chatId);

    /** Writes many messages at once, unconditionally; callers settle against MySQL afterwards. */
    void putAll(List<Message> messages);

    /**
     * Removes these messages of the chat (hash, index entry, order indexes) and keeps late copies
     * out; missing ones are ignored.
     */
    void removeAll(long chatId, Collection<Long> ids);

    /**
     * {@link #removeAll} of messages whose chat is not known (outbox rows written before rows
     * named their chat): looked for wherever a chat's keys may be.
     */
    void removeAnywhere(Collection<Long> ids);

    /** The cached copies of these messages of the chat (looked for among its keys), by id; missing ones are absent. */
    Map<Long, Message> getAll(long chatId, Collection<Long> ids);

    /** Read marks made on MySQL's path on messages of the chat, copied here (no record for MySQL: it has them). */
    void copyReadMarks(long chatId, Collection<Long> ids);

    /**
     * Whether Redis holds the chat's messages ({@code value}), and from which place up (empty: the
     * whole chat); for checks, without the completeness check of the read path.
     */
    Held<Boolean> window(long chatId);

    /**
     * Redis stops holding the chat's messages (readers go to MySQL, writes skip Redis, from this
     * call on), then deletes them in batches; returns how many. The caller holds the chat's lock.
     */
    long drop(long chatId);

    /** {@link #drop} of several chats at once, sharing its round trips; the caller holds their locks. */
    long dropAll(java.util.List<Long> chatIds);

    /** The ids in a chat's order index. */
    Set<Long> orderedIds(long chatId);

    /** The ids in each author order index of a chat, by author. */
    Map<Long, Set<Long>> orderedIdsByAuthor(long chatId);

    /**
     * Removes from a chat's order indexes (the chat's and every author's) the entries of messages
     * that are neither in {@code keep} nor, asked after the indexes were read, among those
     * {@code stillWanted} returns of the rest (messages committed meanwhile: a message reaches Redis
     * only after MySQL, so a copy seen here is found there). Entries are found by their sort keys;
     * hashes are deleted only where they hold this chat's message (an id MySQL handed out again
     * may hold another chat's). Returns how many entries it removed.
     */
    long removeStale(long chatId, Set<Long> keep, java.util.function.Function<Set<Long>, Set<Long>> stillWanted);

    /** How many documents of this chat the search index holds. */
    long indexedCount(long chatId);

    /** Of these messages (as MySQL holds them), those whose cached words are not their text's (for verify). */
    Set<Long> withOtherWords(List<Message> messages);

    /** How many of the chat's messages the index holds as read (for verify). */
    long indexedReadCount(long chatId);
}
