package chatcache.chat;

import chatcache.query.OrderKey;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Chats and their members where they are kept (MySQL). Every change writes an outbox row in its
 * transaction, so that the Redis copy follows even if the process dies right after the commit.
 * Implementations throw {@link chatcache.core.BackendUnavailableException} when MySQL fails.
 */
public interface ChatStore {

    /** Creates a chat (and its owner's membership, when it has an owner). */
    Changed create(String title, Visibility visibility, Long ownerId, long now);

    /**
     * Makes chat {@code chatId} a public chat owned by no one, titled "chat N", unless it exists:
     * what the migration does for chats that older messages name (loads of messages written
     * straight to MySQL, as the benchmark's, use it too).
     */
    Changed adopt(long chatId, long now);

    /** The chat with its members, if it exists. */
    Optional<Chat> find(long chatId);

    /** The chats with these ids that exist. */
    List<Chat> load(Collection<Long> chatIds);

    /** What the chat means for this user (0: anonymous); empty if there is no such chat. One indexed read. */
    Optional<Access> access(long chatId, long userId);

    /** Makes the user a member (nothing if it is one); empty if the chat or the user does not exist. */
    Optional<Changed> addMember(long chatId, long userId, long now);

    /** Ends the user's membership (nothing if it is none); empty if the chat does not exist. */
    Optional<Changed> removeMember(long chatId, long userId, long now);

    /**
     * Moves a member's read marker forwards to {@code upTo} (nothing if it is there or beyond);
     * empty if the user is no member.
     */
    Optional<Changed> moveMarker(long chatId, long userId, OrderKey upTo, long now);

    /** Read markers moved in Redis, applied here (forwards only; for members only; no outbox row). */
    void applyMarkers(Collection<ReadMarker> markers);

    /**
     * For each chat the user is a member of (of {@code only}, when not empty), the messages by
     * others above their read marker, by chat id.
     */
    java.util.List<Unread> unread(long userId, Collection<Long> only);

    /** How many messages of the chat by others lie above the marker (null: from the first) and below {@code below}. */
    long unreadBelow(long chatId, long userId, chatcache.query.OrderKey marker, chatcache.query.OrderKey below);

    /** How many messages each of these chats has had deleted, ever (0 for none); one statement. */
    java.util.Map<Long, Long> deletions(Collection<Long> chatIds);

    /** Up to {@code max} chat ids above {@code afterId}, in order. */
    List<Long> ids(long afterId, int max);

    /** A change committed: the chat as it is after it, and its outbox row (0 if nothing changed). */
    record Changed(Chat chat, long outboxId) {
    }
}
