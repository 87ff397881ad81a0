package chatcache.events;

/** PLACEHOLDER until the producer branch lands: the contract's names (/work/sse-contract.md). */
public final class ChatEvents {
    public static final String KEY_PREFIX = "chatcache:events:";
    public static final String TYPE = "type";
    public static final String CREATED = "message.created";
    public static final String EDITED = "message.edited";
    public static final String DELETED = "message.deleted";
    public static final String READ = "message.read";
    public static final String RESET = "reset";

    private ChatEvents() {
    }

    public static String key(long chatId) {
        return KEY_PREFIX + chatId;
    }

    public static String epochToken(String completeValue) {
        return Long.toString(java.time.Instant.parse(completeValue).toEpochMilli(), 36);
    }
}
