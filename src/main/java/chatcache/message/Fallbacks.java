package chatcache.message;

import chatcache.core.BackendUnavailableException;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How often, since start, a Redis-route read was answered by MySQL, by reason. On a healthy,
 * complete cache every count stays 0: a supported query answered by MySQL there is a bug.
 */
public final class Fallbacks {
    /**
     * Why: the cache is not complete (cold start, flush, the chat being rebuilt), Redis holds none
     * of the chat's messages (cold: it is loaded for the next reads), or the cause Redis gave.
     */
    public enum Cause { INCOMPLETE, COLD, UNREACHABLE, TIMEOUT, DISAGREEMENT, UNREADABLE, FAILED }

    private final AtomicLongArray counts = new AtomicLongArray(Cause.values().length);

    void add(Cause cause) {
        counts.incrementAndGet(cause.ordinal());
    }

    void add(BackendUnavailableException.Reason reason) {
        add(Cause.valueOf(reason.name()));
    }

    public long count(Cause cause) {
        return counts.get(cause.ordinal());
    }

    /** Every cause, lower case, in a fixed order. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Cause c : Cause.values()) {
            out.put(c.name().toLowerCase(Locale.ROOT), count(c));
        }
        return out;
    }
}
