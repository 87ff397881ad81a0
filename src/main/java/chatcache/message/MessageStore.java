package chatcache.message;

/** The source of truth for messages (MySQL). */
public interface MessageStore {
    /** Stores the message with this creation time; returns it with its new id. */
    Message insert(NewMessage draft, long createdAtMillis);
}
