package chatcache.events;

import java.time.Instant;

/**
 * The vocabulary of a chat's event stream in Redis, shared by the writers that append to it (the
 * Redis write path) and the readers that deliver it (issue #13; README, "Live events"). Every
 * value in an entry is a string, as Redis keeps it.
 *
 * <p>One stream per chat, chatcache:events:<chatId> (named by chatcache.redis.KeySpace). why per
 * chat: a subscriber reads and resumes one chat, and a chat's entries trim by their own count and
 * age. why no TTL: a stream that expired and came back would hide a gap from a resuming reader;
 * MAXLEN and MINID bound it. Beside them, chatcache:followed: the chats some instance has a client
 * following, a sorted set of chat ids scored by when the following lapses (ms of Redis's clock),
 * renewed while they follow. A reset appended to the stream of a chat nobody follows keeps only
 * its id (schema/lua/append-event.lua).
 */
public final class ChatEvents {
    /** An entry's kind; the other fields depend on it. */
    public static final String TYPE = "type";
    /** A message written to Redis for the first time; fields: the message (see {@link #ID} ..). */
    public static final String CREATED = "message.created";
    /** A message whose text or data changed; fields: the message after the edit. */
    public static final String EDITED = "message.edited";
    /** A message Redis held and no longer holds; field {@link #ID}. */
    public static final String DELETED = "message.deleted";
    /** Messages whose read flag went from 0 to 1; field {@link #IDS}. */
    public static final String READ = "message.read";
    /**
     * The stream says nothing reliable about what happened before this entry (the chat was
     * rebuilt from MySQL): a subscriber reloads the chat. Field {@link #REASON}.
     */
    public static final String RESET = "reset";

    // why the message's fields carry the hash's own names and forms (createdAt in epoch millis,
    // data raw JSON, read 0/1): the entry is written by a Lua script from the hash as it is after
    // the write, and rendered only by the reader, like a message read from the hash
    public static final String ID = "id";
    public static final String CHAT_ID = "chatId";
    public static final String USER_ID = "userId";
    public static final String MESSAGE = "message";
    public static final String CREATED_AT = "createdAt";
    /** Absent when the message has no data. */
    public static final String DATA = "data";
    public static final String READ_FLAG = "read";
    /** Comma-separated message ids (a message.read entry). */
    public static final String IDS = "ids";
    public static final String REASON = "reason";

    /** The reason of the reset a rebuild of one chat appends. */
    public static final String CHAT_REBUILT = "chat rebuilt";
    /**
     * The reason of the reset appended when Redis stops holding a chat's messages (evicted): its
     * posts append no events until a reader's page loads it again, which appends a reset too.
     */
    public static final String CHAT_EVICTED = "chat evicted";

    private ChatEvents() {
    }

    /**
     * The epoch as clients see it: the instant {@code chatcache:complete} holds (set by each full
     * rebuild, gone with Redis's data), as epoch millis in base 36. why: stream ids are only
     * comparable within one epoch (a flushed Redis starts its streams again), and the token is
     * short and needs no escaping in an SSE id.
     */
    public static String epochToken(String completeValue) {
        return Long.toString(Instant.parse(completeValue).toEpochMilli(), 36);
    }
}
