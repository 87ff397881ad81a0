package chatcache.chat;

/** A user's membership of a chat. */
public record Member(long userId, MemberRole role) {
}
