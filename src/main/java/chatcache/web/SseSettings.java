package chatcache.web;

/**
 * Bounds of one Server-Sent Events stream ({@link SseConnection}).
 *
 * @param maxQueuedFrames a connection with more frames than this waiting for its socket is dropped ("too slow")
 * @param maxQueuedBytes  the same, counted in bytes of those frames
 * @param retryMillis     sent first as {@code retry:}: how long a browser waits before it reconnects
 */
public record SseSettings(int maxQueuedFrames, int maxQueuedBytes, long retryMillis) {
    public SseSettings {
        if (maxQueuedFrames < 1) {
            throw new IllegalArgumentException("maxQueuedFrames must be at least 1, not " + maxQueuedFrames);
        }
        if (maxQueuedBytes < 1) {
            throw new IllegalArgumentException("maxQueuedBytes must be at least 1, not " + maxQueuedBytes);
        }
        if (retryMillis < 0) {
            throw new IllegalArgumentException("retryMillis cannot be negative, not " + retryMillis);
        }
    }
}
