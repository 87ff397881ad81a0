package chatcache.query;

/**
 * The one allow-list of message fields that queries may filter or sort on. Both mappers take
 * field names from here, never from input, so a request can only ever choose values.
 */
public enum MessageField {
    ID("id", "id"),
    CHAT_ID("chatId", "chatId"),
    USER_ID("userId", "userId"),
    CREATED_AT("createdAt", "createdAt"),
    /** Redis only: the single-field image of the total order, see {@link MessageOrder}. */
    SORT_KEY(null, "sk");

    private final String entityAttribute;
    private final String redisField;

    MessageField(String entityAttribute, String redisField) {
        this.entityAttribute = entityAttribute;
        this.redisField = redisField;
    }

    /** Attribute name on the Hibernate entity. */
    public String entityAttribute() {
        if (entityAttribute == null) {
            throw new IllegalStateException(this + " exists only in Redis");
        }
        return entityAttribute;
    }

    /** Field name in the Redis hash and in idx:messages. */
    public String redisField() {
        return redisField;
    }
}
