package chatcache.message;

/**
 * The {@code Idempotency-Key}s clients sent with writes, shared by every instance (MySQL): the
 * first request with a key claims it and records its answer; a repeat gets that answer instead
 * of making the change again. A post records its message id in its own transaction, so even a
 * process killed between the commit and the answer leaves the key pointing at the one message.
 */
public interface IdempotencyKeys {
    /** How long a key is remembered. */
    long KEEP_MILLIS = 24 * 3_600_000L;
    /**
     * A claim whose request has neither answered nor posted this long is abandoned (its process
     * died before the change): a repeat may take it over. A request is bounded far below this
     * (store timeouts of seconds), and a post of a claim taken over is refused in its transaction.
     */
    long ABANDONED_MILLIS = 30_000;

    /** What a request carrying a key may do. */
    sealed interface Outcome permits Claimed, Answered, Posted, OtherRequest, InProgress {
    }

    /** The first (or a takeover): go ahead, then {@link #answer} or {@link #release}. */
    record Claimed(IdempotencyClaim claim) implements Outcome {
    }

    /** Done before: answer this. */
    record Answered(int status, String body) implements Outcome {
    }

    /** Its post committed, but its answer was not recorded (yet): answer with this message. */
    record Posted(long messageId) implements Outcome {
    }

    /** The key was used with another request (another route or body). */
    record OtherRequest() implements Outcome {
    }

    /** Another request with this key is being worked on now. */
    record InProgress() implements Outcome {
    }

    /** @param request a digest of the request (method, path, body) */
    Outcome claim(long userId, String key, String request, long now);

    /** Records the answer of the request holding the claim. */
    void answer(IdempotencyClaim claim, int status, String body);

    /** The request failed without changing anything: a repeat may go ahead. */
    void release(IdempotencyClaim claim);

    /** Deletes up to {@code max} keys older than {@link #KEEP_MILLIS}; returns how many. */
    int expire(long now, int max);
}
