package chatcache.message;

import chatcache.core.BackendUnavailableException;

/**
 * Redis does not hold the whole chat (a cold start, a flushed or restarted Redis, the chat being
 * rebuilt): it must not answer, MySQL does. Not a failure, so readers do not log it as one.
 */
public class CacheIncompleteException extends BackendUnavailableException {
    public CacheIncompleteException(long chatId) {
        this(chatId, "the cache does not hold chat " + chatId + " completely");
    }

    protected CacheIncompleteException(long chatId, String message) {
        super(message, null);
    }
}
