package chatcache.events;

import chatcache.Settings;

import java.util.Map;

/**
 * How an instance serves event streams (README, "Live events").
 *
 * @param heartbeatMillis      a quiet stream gets a comment line this often (under the HTTP idle timeout)
 * @param maxConnections       streams open at once on this instance; more are refused 503
 * @param maxPerCaller         streams one caller (user, or address for anonymous callers) may hold open on this instance; more are refused 429
 * @param maxReplay            events a resuming client is sent at most; further behind, it gets a {@code reset}
 * @param maxQueuedFrames      frames queued for one client at most; a client further behind is dropped ("too slow")
 * @param maxQueuedBytes       bytes queued for one client at most, likewise
 * @param accessCheckMillis    how often an open stream's caller is checked again (token revoked, membership)
 */
public record EventSettings(long heartbeatMillis, int maxConnections, int maxPerCaller, int maxReplay,
                            int maxQueuedFrames, int maxQueuedBytes, long accessCheckMillis) {
    public static final EventSettings DEFAULT = fromEnv(Map.of());

    public EventSettings {
        if (maxQueuedFrames <= maxReplay) {
            throw new chatcache.InvalidConfigException("CHATCACHE_EVENTS_MAX_QUEUED_FRAMES (" + maxQueuedFrames
                    + ") must be above CHATCACHE_EVENTS_MAX_REPLAY (" + maxReplay + "): a replay is queued at once");
        }
    }

    public static EventSettings fromEnv(Map<String, String> env) {
        Settings s = new Settings(env);
        return new EventSettings(
                s.number("CHATCACHE_EVENTS_HEARTBEAT_MS", 5_000, 100, 600_000),
                s.integer("CHATCACHE_EVENTS_MAX_CONNECTIONS", 10_000, 0, 1_000_000),
                s.integer("CHATCACHE_EVENTS_MAX_PER_CALLER", 8, 1, 10_000),
                s.integer("CHATCACHE_EVENTS_MAX_REPLAY", 1_000, 0, 100_000),
                s.integer("CHATCACHE_EVENTS_MAX_QUEUED_FRAMES", 2_000, 2, 1_000_000),
                s.integer("CHATCACHE_EVENTS_MAX_QUEUED_BYTES", 4 * 1024 * 1024, 64 * 1024, 1 << 30),
                500);
    }

    public EventSettings withHeartbeatMillis(long millis) {
        return new EventSettings(millis, maxConnections, maxPerCaller, maxReplay, maxQueuedFrames, maxQueuedBytes, accessCheckMillis);
    }

    public EventSettings withMaxConnections(int max, int perCaller) {
        return new EventSettings(heartbeatMillis, max, perCaller, maxReplay, maxQueuedFrames, maxQueuedBytes, accessCheckMillis);
    }
}
