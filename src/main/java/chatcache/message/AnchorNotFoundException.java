package chatcache.message;

/** The anchor of before/after/around is not a message of that chat (or does not exist at all). */
public class AnchorNotFoundException extends RuntimeException {
    public AnchorNotFoundException(long chatId, long messageId) {
        super("message " + messageId + " is not in chat " + chatId);
    }
}
