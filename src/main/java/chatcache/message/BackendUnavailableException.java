package chatcache.message;

/** A store could not answer (down, timed out, or refused the query). */
public class BackendUnavailableException extends RuntimeException {
    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
