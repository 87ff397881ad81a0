package chatcache.message;

/** Where the Redis route reports a chat Redis does not hold, so that it is loaded for the next reads. */
@FunctionalInterface
public interface ColdChats {
    ColdChats NONE = chatId -> { };

    /** Asks for the chat to be loaded into Redis, in the background; returns at once. */
    void warm(long chatId);
}
