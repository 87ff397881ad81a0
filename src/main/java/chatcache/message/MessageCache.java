package chatcache.message;

/** The queryable copy of messages (Redis). */
public interface MessageCache {
    /** Writes the message and keeps the search index in step with it. */
    void put(Message message);
}
