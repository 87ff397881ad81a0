package chatcache.events;

/** Asked again while a stream is open: whether its caller may still read the chat (token not revoked, still a member). */
@FunctionalInterface
public interface AccessCheck {
    /** False once the caller may no longer read; throws when it cannot be told (a store is down: the stream stays). */
    boolean stillAllowed();
}
