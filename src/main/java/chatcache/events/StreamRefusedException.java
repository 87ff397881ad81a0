package chatcache.events;

/** No stream for this request: the caller or the whole instance has as many as it may have open. */
public final class StreamRefusedException extends RuntimeException {
    private final boolean callersLimit;

    StreamRefusedException(boolean callersLimit, String message) {
        super(message);
        this.callersLimit = callersLimit;
    }

    /** True when the caller's own limit was reached (429), false when the instance's (503). */
    public boolean callersLimit() {
        return callersLimit;
    }
}
