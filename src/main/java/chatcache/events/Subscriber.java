package chatcache.events;

/**
 * One client's connection, as the hub sees it: it takes frames without blocking (the HTTP side
 * queues and writes them; web.SseConnection), and ends once.
 */
public interface Subscriber {
    /** Queues a rendered frame; false when the connection is closed or has just dropped itself for falling behind. */
    boolean send(byte[] frame);

    /** Ends the stream, telling the client why. Idempotent. */
    void close(String reason);

    boolean isOpen();

    /** Nanoseconds since a frame last went out (the hub sends a heartbeat when it grows). */
    long idleNanos();

    /** Runs once when the connection ends, however it ends. */
    void onClose(Runnable r);
}
