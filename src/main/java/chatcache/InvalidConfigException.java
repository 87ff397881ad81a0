package chatcache;

/** A setting is missing or malformed; the message names it. The program stops at start with it. */
public final class InvalidConfigException extends RuntimeException {
    public InvalidConfigException(String message) {
        super(message);
    }
}
