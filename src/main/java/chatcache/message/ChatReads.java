package chatcache.message;

/**
 * Where the Redis route reports what it read: chats answered by Redis (so that the least recently
 * read are the first evicted under a budget), and chats Redis did not hold (so that they are
 * loaded for the next reads). Both return at once.
 */
public interface ChatReads {
    ChatReads NONE = new ChatReads() {
        @Override
        public void held(long chatId) {
        }

        @Override
        public void cold(long chatId) {
        }
    };

    /** A page of the chat came from Redis (wholly or in part). */
    void held(long chatId);

    /** Redis holds none of the chat's messages: load it, in the background. */
    void cold(long chatId);
}
