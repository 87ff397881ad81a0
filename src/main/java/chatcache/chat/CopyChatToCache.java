package chatcache.chat;

/**
 * The Redis half of a chat change committed to MySQL, done at once by the request that made it
 * (implemented in chatcache.replication); when it fails, the outbox relay copies the chat later.
 */
@FunctionalInterface
public interface CopyChatToCache {
    void changed(ChatStore.Changed change);
}
