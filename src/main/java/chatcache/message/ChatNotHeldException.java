package chatcache.message;

/**
 * Redis holds the cache but none of this chat's messages (a chat first read since it was made,
 * or since Redis lost it): MySQL answers, and the chat can be loaded into Redis ({@link ChatReads#cold}).
 */
public class ChatNotHeldException extends CacheIncompleteException {
    private final long chatId;

    public ChatNotHeldException(long chatId) {
        super(chatId, "Redis does not hold the messages of chat " + chatId);
        this.chatId = chatId;
    }

    public long chatId() {
        return chatId;
    }
}
