package chatcache.chat;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The copy of every chat with its members that the Redis route checks access against, without
 * MySQL. Readers throw {@link chatcache.message.CacheIncompleteException} while the copy is not
 * complete (a flushed or rebuilding Redis), and {@link chatcache.core.BackendUnavailableException}
 * when Redis cannot answer; either way the caller asks MySQL instead.
 */
public interface ChatReplica {

    /**
     * Writes each chat whole, unless Redis holds a newer version of it; returns the ids of those
     * Redis did not hold before (new chats, or all after Redis lost its data).
     */
    java.util.List<Long> put(Collection<Chat> chats);

    /** Removes these chats' copies (chats MySQL does not have). */
    void remove(Collection<Long> chatIds);

    /** What the chat means for this user (0: anonymous); empty if there is no such chat. One round trip. */
    Optional<Access> access(long chatId, long userId);

    /**
     * Moves a member's read marker forwards (nothing if it is there or beyond, or the user is no
     * member), recording the move for MySQL in the same step; whether it moved. Returns once
     * the replicas the deployment waits for have the move (the store fails otherwise, the move
     * made but not yet safe: MySQL must then take it itself).
     */
    boolean advance(ReadMarker marker);

    /** The same for a move MySQL already holds: nothing is waited for. */
    boolean copyMarker(ReadMarker marker);

    /**
     * For each chat the user is a member of (of {@code only}, when not empty), the messages by
     * others above their read marker that Redis holds, by chat id, and the range below its window
     * that MySQL must count.
     */
    java.util.List<HeldUnread> unread(long userId, Collection<Long> only);

    /** The chat with its members, if it exists. */
    Optional<Chat> find(long chatId);

    /** The copies of these chats as they are, complete or not (for verify), by id. */
    Map<Long, Chat> peek(Collection<Long> chatIds);

    /** The memberships of these chats missing from their members' chat sets (for verify), as readable lines. */
    java.util.List<String> unlisted(Collection<Chat> chats);

    /** The ids of every chat copied (for verify: copies of chats MySQL does not have). */
    Set<Long> ids();
}
