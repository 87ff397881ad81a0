package chatcache.message;

/**
 * A post whose idempotency claim a repeat of the request took over (it looked abandoned) was not
 * stored: the repeat makes the change instead. The client sees it as a request still in progress.
 */
public final class ClaimTakenOverException extends RuntimeException {
    public ClaimTakenOverException() {
        super("another request with this Idempotency-Key is in progress; retry to get its answer");
    }
}
