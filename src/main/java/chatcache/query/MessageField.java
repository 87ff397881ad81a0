package chatcache.query;

/**
 * The one allow-list of message fields that queries may filter or sort on. Both mappers take
 * field names from here, never from input, so a request can only ever choose values.
 */
public enum MessageField {
    ID("id", "id"),
    CHAT_ID("chat_id", "chatId"),
    USER_ID("user_id", "userId"),
    CREATED_AT("created_at", "createdAt");

    private final String column;
    private final String redisField;

    MessageField(String column, String redisField) {
        this.column = column;
        this.redisField = redisField;
    }

    /** Column name in the MySQL table {@code messages}. */
    public String column() {
        return column;
    }

    /** Field name in the Redis hash and in idx:messages. */
    public String redisField() {
        return redisField;
    }
}
