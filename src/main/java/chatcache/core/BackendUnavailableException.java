package chatcache.core;

/** A store could not answer (down, timed out, or refused the query). */
public class BackendUnavailableException extends RuntimeException {
    /** Why a read could not be answered, as counted in /health when the Redis route falls back. */
    public enum Reason { UNREACHABLE, TIMEOUT, DISAGREEMENT, UNREADABLE, FAILED }

    private final Reason reason;

    public BackendUnavailableException(String message, Throwable cause) {
        this(Reason.FAILED, message, cause);
    }

    public BackendUnavailableException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
