package chatcache.chat;

/**
 * No such chat, or one the caller may not read: the same answer for both (404), so that nobody
 * learns which private chats exist.
 */
public final class ChatNotFoundException extends RuntimeException {
    public ChatNotFoundException(long chatId) {
        super("no chat " + chatId);
    }
}
