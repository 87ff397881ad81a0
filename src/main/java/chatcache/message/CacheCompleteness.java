package chatcache.message;

/**
 * Whether Redis holds a complete copy of a chat. Until it does (cold start, a flushed or restarted
 * Redis, a rebuild under way), readers of that chat are answered from MySQL.
 */
public interface CacheCompleteness {
    /** True when Redis holds every message of this chat. */
    boolean holds(long chatId);

    /** True when the whole cache was (re)built and not lost since. */
    boolean holdsAll();

    void markAllComplete();

    void markAllIncomplete();

    void markChatRebuilding(long chatId);

    void markChatComplete(long chatId);
}
