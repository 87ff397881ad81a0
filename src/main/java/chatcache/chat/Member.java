package chatcache.chat;

import chatcache.query.OrderKey;

/**
 * A user's membership of a chat.
 *
 * @param lastRead the member's read marker: the newest message they have seen (null before the first read)
 */
public record Member(long userId, MemberRole role, OrderKey lastRead) {
}
