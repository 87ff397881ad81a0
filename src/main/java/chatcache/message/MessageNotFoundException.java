package chatcache.message;

/** No such message in that chat (a message of another chat counts as none). */
public class MessageNotFoundException extends RuntimeException {
    public MessageNotFoundException(long chatId, long messageId) {
        super("no message " + messageId + " in chat " + chatId);
    }
}
