package chatcache.chat;

/**
 * A member's unread count in one chat: the messages by others above their read marker.
 *
 * @param lastRead the id of the marker's message, null before the first read
 */
public record Unread(long chatId, long unread, Long lastRead) {
}
