package chatcache.web;

/**
 * How much a client may send and how slowly. Every request body is read through these bounds,
 * whatever its framing (Content-Length or chunked), before any handler sees it.
 *
 * @param maxBodyBytes          a larger body is refused with 413 without being kept
 * @param bodyDeadlineMillis    a body still arriving after this long is refused with 408
 * @param ioIdleMillis          a blocked read or write with no progress for this long fails (408)
 * @param minBodyBytesPerSecond a body arriving slower than this on average, once it has taken more than
 *                              {@link RequestBody#RATE_GRACE_MILLIS}, is refused (408)
 * @param stopTimeoutMillis     a stopping server (SIGTERM) finishes requests it began for at most this long
 */
public record HttpLimits(int maxBodyBytes, long bodyDeadlineMillis, long ioIdleMillis, long minBodyBytesPerSecond,
                         long stopTimeoutMillis) {
    /** 64 KiB, 10 s to send it, 10 s without progress, and at least 1 KiB/s after the first 2 s; 10 s to stop. */
    public static final HttpLimits DEFAULT = new HttpLimits(64 * 1024, 10_000, 10_000, 1_024, 10_000);

    /** These bounds, with the default time to stop. */
    public HttpLimits(int maxBodyBytes, long bodyDeadlineMillis, long ioIdleMillis, long minBodyBytesPerSecond) {
        this(maxBodyBytes, bodyDeadlineMillis, ioIdleMillis, minBodyBytesPerSecond, 10_000);
    }
}
