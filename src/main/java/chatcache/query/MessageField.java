package chatcache.query;

/**
 * The one allow-list of message fields that queries may filter or sort on. Both mappers take
 * field names from here, never from input, so a request can only ever choose values.
 */
public enum MessageField {
    ID("id", "id"),
    CHAT_ID("chat_id", "chatId"),
    USER_ID("user_id", "userId"),
    CREATED_AT("created_at", "createdAt"),
    READ("is_read", "read"),
    /** The message's words ({@link Words#of}): one row each in {@code message_words}, a TAG list in Redis. */
    WORDS("message_words", "word", "words");

    private final String table;
    private final String column;
    private final String redisField;

    MessageField(String column, String redisField) {
        this("messages", column, redisField);
    }

    MessageField(String table, String column, String redisField) {
        this.table = table;
        this.column = column;
        this.redisField = redisField;
    }

    /** The MySQL table that holds the column. */
    public String table() {
        return table;
    }

    /** Column name in the MySQL table {@link #table()}. */
    public String column() {
        return column;
    }

    /** Field name in the Redis hash and in idx:messages. */
    public String redisField() {
        return redisField;
    }
}
