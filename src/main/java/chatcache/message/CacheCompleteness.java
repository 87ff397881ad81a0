package chatcache.message;

/**
 * Whether Redis holds a complete copy of the messages, and of each chat. Until it does (cold
 * start, a flushed or restarted Redis, a rebuild under way), readers of a chat are answered from
 * MySQL: the Redis backend checks it with every read and throws {@link CacheIncompleteException}.
 */
public interface CacheCompleteness {
    /** True when the whole cache was (re)built and not lost since. */
    boolean holdsAll();

    void markAllComplete();

    void markAllIncomplete();

    void markChatRebuilding(long chatId);

    void markChatComplete(long chatId);
}
