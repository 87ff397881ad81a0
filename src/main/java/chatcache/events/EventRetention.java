package chatcache.events;

/**
 * How much of each chat's event stream Redis keeps: at most {@code maxPerChat} entries and none
 * older than {@code retentionMillis}, whichever trims more (both approximately: Redis trims whole
 * nodes of a stream, see README, "Events in Redis").
 *
 * @param maxPerChat       CHATCACHE_EVENTS_MAX_PER_CHAT
 * @param retentionMillis  CHATCACHE_EVENTS_RETENTION_MS
 */
public record EventRetention(int maxPerChat, long retentionMillis) {
    public static final EventRetention DEFAULT = new EventRetention(10_000, 86_400_000L);

    public EventRetention {
        if (maxPerChat < 1) {
            throw new IllegalArgumentException("maxPerChat must be at least 1: " + maxPerChat);
        }
        if (retentionMillis < 1_000) {
            throw new IllegalArgumentException("retentionMillis must be at least 1000: " + retentionMillis);
        }
    }
}
