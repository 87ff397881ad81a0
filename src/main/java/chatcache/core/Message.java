package chatcache.core;

/**
 * A chat message as both stores hold it. {@code data} is the JSON object text exactly as stored
 * (both stores keep the same canonical text, so they agree byte for byte), or null.
 */
public record Message(long id, long chatId, long userId, String text, long createdAt, String data, boolean read) {

    public Message withRead(boolean newRead) {
        return new Message(id, chatId, userId, text, createdAt, data, newRead);
    }
}
