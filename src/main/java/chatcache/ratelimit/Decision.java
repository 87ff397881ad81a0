package chatcache.ratelimit;

/** Whether a request may go on and, if not, how long its caller must wait before the next one will. */
public record Decision(boolean allowed, long waitMillis) {
    public static final Decision ALLOW = new Decision(true, 0);

    /** The wait in whole seconds, at least 1, as {@code Retry-After} states it. */
    public long retryAfterSeconds() {
        return Math.max(1, (waitMillis + 999) / 1_000);
    }
}
