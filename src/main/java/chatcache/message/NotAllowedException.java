package chatcache.message;

/** The caller may not change this message. */
public class NotAllowedException extends RuntimeException {
    public NotAllowedException(String message) {
        super(message);
    }
}
