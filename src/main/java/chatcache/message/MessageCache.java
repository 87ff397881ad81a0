package chatcache.message;

import java.util.List;

/** The queryable copy of messages (Redis). */
public interface MessageCache {
    /** Writes the message and keeps the search index in step with it. Idempotent; never unmarks a read. */
    void put(Message message);

    /** The same for many messages at once. */
    void putAll(List<Message> messages);
}
