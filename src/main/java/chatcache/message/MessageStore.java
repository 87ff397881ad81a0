package chatcache.message;

import chatcache.core.Message;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The source of truth for messages (MySQL), with the outbox of changes Redis must still receive. */
public interface MessageStore {
    /**
     * Stores these messages with their outbox entries, all in one transaction; returns them in
     * order. A draft whose idempotency claim another request took over meanwhile is not stored:
     * its place is empty.
     */
    List<Optional<Stored>> insertAll(List<Draft> drafts);

    /** Replaces the text of a message, with an outbox entry, in one transaction; empty if it is gone. */
    Optional<Stored> updateText(long messageId, String text, long now);

    /** Deletes a message, with an outbox entry, in one transaction; empty if it was already gone. */
    Optional<Long> delete(long messageId, long now);

    /**
     * Takes up to {@code max} outbox entries committed at or before this time, oldest first, that
     * no other instance is relaying now; hands them to {@code copy} and deletes them once it
     * returns, in one transaction: when the copy fails or the program dies, they stay for the next
     * round of any instance. Returns how many it took.
     */
    int relayOutbox(long committedUpTo, int max, java.util.function.Consumer<List<OutboxEntry>> copy);

    /** Removes these outbox entries. */
    void clearOutbox(Collection<Long> outboxIds);

    /** The messages with these ids that still exist. */
    List<Message> load(Collection<Long> ids);

    /** How many outbox entries wait. */
    long outboxSize();

    /** Up to {@code max} messages (of one chat, or all) with ids above {@code afterId}, by id. */
    List<Message> scan(Optional<Long> chatId, long afterId, int max);

    /** How many messages (of one chat, or all) exist. */
    long count(Optional<Long> chatId);

    /** Up to {@code max} of a chat's messages older than {@code below} (from the newest when empty), newest first. */
    List<Message> newest(long chatId, Optional<chatcache.query.OrderKey> below, int max);

    /** How many messages the windows of every chat hold: each chat's count, at most {@code window} (0: no limit). */
    long countInWindows(int window);

    /** Every chat that has messages. */
    List<Long> chats();

    /** Every chat that has messages, the most recently posted to first. */
    List<Long> chatsByLatestMessage();

    /** Those of these chats that have messages. */
    Set<Long> withMessages(Collection<Long> chatIds);

    /**
     * A message to store, with its creation time, and the claim of the client's idempotency key
     * (null without one), which the message's transaction marks as used by it.
     */
    record Draft(NewMessage message, long createdAt, IdempotencyClaim claim) {
        public Draft(NewMessage message, long createdAt) {
            this(message, createdAt, null);
        }
    }

    /**
     * An outbox entry: message {@code messageId} of chat {@code chatId} must be (re-)sent to
     * Redis (chat 0: a row written before rows named their message's chat), or, when
     * {@code messageId} is 0, chat {@code chatId} with its members (see chatcache.replication.ChatCopies).
     */
    record OutboxEntry(long id, long messageId, long chatId) {
        public boolean isChat() {
            return messageId == 0;
        }
    }

    /** Of these messages (as MySQL holds them), those whose word rows are not exactly their words' (for verify). */
    Set<Long> withMissingWords(List<Message> messages);

    /** How many word rows the chat has (for verify: with every message's present, more means stale rows). */
    long wordRows(long chatId);

    /** Makes the chat's word rows exactly its messages' words (the repair for what verify reports); rows changed. */
    long mendWords(long chatId);
}
