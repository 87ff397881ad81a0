package chatcache.web;

import chatcache.Settings;

import java.util.Map;

/**
 * How much a client may send and how slowly, and how many connections it may hold. Every request
 * body is read through these bounds, whatever its framing (Content-Length or chunked), before any
 * handler sees it; every connection is counted against its address (ClientConnections).
 *
 * @param maxBodyBytes             a larger body is refused with 413 without being kept
 * @param bodyDeadlineMillis       a body still arriving after this long is refused with 408
 * @param ioIdleMillis             a blocked read or write with no progress for this long fails (408)
 * @param minBodyBytesPerSecond    a body arriving slower than this on average, once it has taken more than
 *                                 {@link RequestBody#RATE_GRACE_MILLIS}, is refused (408)
 * @param stopTimeoutMillis        a stopping server (SIGTERM) finishes requests it began for at most this long
 * @param headerDeadlineMillis     a request's head (request line and headers) still arriving this long after its
 *                                 first byte is answered 408 and its connection closed
 * @param maxConnectionsPerAddress connections one client address (an IPv6 address: its /64) may hold open at
 *                                 once; a further one is answered 429 and closed
 */
public record HttpLimits(int maxBodyBytes, long bodyDeadlineMillis, long ioIdleMillis, long minBodyBytesPerSecond,
                         long stopTimeoutMillis, long headerDeadlineMillis, int maxConnectionsPerAddress) {
    /**
     * 64 KiB, 10 s to send it, 10 s without progress, and at least 1 KiB/s after the first 2 s; 10 s to stop;
     * 10 s for a request's headers; 256 connections per address.
     */
    public static final HttpLimits DEFAULT = new HttpLimits(64 * 1024, 10_000, 10_000, 1_024, 10_000, 10_000, 256);

    /** These bounds, with the default time to stop, header deadline and connections per address. */
    public HttpLimits(int maxBodyBytes, long bodyDeadlineMillis, long ioIdleMillis, long minBodyBytesPerSecond) {
        this(maxBodyBytes, bodyDeadlineMillis, ioIdleMillis, minBodyBytesPerSecond, DEFAULT_STOP_MILLIS);
    }

    /** These bounds, with the default header deadline and connections per address. */
    public HttpLimits(int maxBodyBytes, long bodyDeadlineMillis, long ioIdleMillis, long minBodyBytesPerSecond,
                      long stopTimeoutMillis) {
        this(maxBodyBytes, bodyDeadlineMillis, ioIdleMillis, minBodyBytesPerSecond, stopTimeoutMillis, 10_000, 256);
    }

    private static final long DEFAULT_STOP_MILLIS = 10_000;

    /**
     * From the {@code CHATCACHE_*} settings (README, "Configuration"), each validated like every
     * tunable (one reader, {@link Settings}). why here and not in Tunables: these are the web
     * layer's, read where they are used, as EventSettings are.
     */
    public static HttpLimits fromEnv(Map<String, String> env) {
        Settings s = new Settings(env);
        return new HttpLimits(
                s.integer("CHATCACHE_MAX_BODY_BYTES", DEFAULT.maxBodyBytes(), 1_024, 16 * 1024 * 1024),
                s.number("CHATCACHE_BODY_DEADLINE_MS", DEFAULT.bodyDeadlineMillis(), 100, 600_000),
                s.number("CHATCACHE_IDLE_TIMEOUT_MS", DEFAULT.ioIdleMillis(), 100, 600_000),
                s.number("CHATCACHE_MIN_BODY_BYTES_PER_SECOND", DEFAULT.minBodyBytesPerSecond(), 0, 1 << 30),
                s.number("CHATCACHE_SHUTDOWN_TIMEOUT_MS", DEFAULT.stopTimeoutMillis(), 0, 600_000),
                s.number("CHATCACHE_HEADER_DEADLINE_MS", DEFAULT.headerDeadlineMillis(), 100, 600_000),
                s.integer("CHATCACHE_MAX_CONNECTIONS_PER_ADDRESS", DEFAULT.maxConnectionsPerAddress(), 1, 1_000_000));
    }

    /** The same, with this header deadline and this many connections per address. */
    public HttpLimits withConnections(long headerDeadline, int perAddress) {
        return new HttpLimits(maxBodyBytes, bodyDeadlineMillis, ioIdleMillis, minBodyBytesPerSecond, stopTimeoutMillis,
                headerDeadline, perAddress);
    }
}
