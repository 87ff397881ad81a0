package chatcache.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A rate limit on the warnings of the libraries (Jetty, Javalin...): at most {@link #PER_WINDOW}
 * lines each {@link #WINDOW_MILLIS}; the rest are counted ({@code chatcache_log_suppressed_total}
 * in /metrics) and summed up in one line of ours when the next window opens.
 *
 * <p>why: a library warns of malformed requests before any route or rate limit sees them, so a
 * client decides how many such lines there are (two Host headers once wrote 4.8 MB of log in 600
 * requests). Our own lines (loggers {@code chatcache.*}) and errors are never left out: they
 * name no client text (LogEncoder also cuts every line) and are what an operator must see.
 */
public final class LibraryNoise extends TurboFilter {
    static final int PER_WINDOW = 20;
    static final long WINDOW_MILLIS = 10_000;
    private static final AtomicLong SUPPRESSED = new AtomicLong();
    private static final org.slf4j.Logger log = LoggerFactory.getLogger(LibraryNoise.class);

    private final Object lock = new Object();
    private long windowStart = Long.MIN_VALUE;
    private int inWindow;
    private long leftOutInWindow;

    /** Library lines left out since the process started. */
    public static long suppressed() {
        return SUPPRESSED.get();
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        // why the effective level and not isEnabledFor: that one asks the turbo filters again
        if (level == null || level.isGreaterOrEqual(Level.ERROR) || logger.getName().startsWith("chatcache.")
                || !level.isGreaterOrEqual(logger.getEffectiveLevel())) {
            return FilterReply.NEUTRAL;
        }
        long leftOutBefore = 0;
        boolean allowed;
        synchronized (lock) {
            long now = System.currentTimeMillis();
            if (now - windowStart >= WINDOW_MILLIS) {
                leftOutBefore = leftOutInWindow;
                windowStart = now;
                inWindow = 0;
                leftOutInWindow = 0;
            }
            allowed = ++inWindow <= PER_WINDOW;
            if (!allowed) {
                leftOutInWindow++;
            }
        }
        if (leftOutBefore > 0) {
            log.warn("{} library log lines were left out in {} s (more than {} at once; see chatcache_log_suppressed_total)",
                    leftOutBefore, WINDOW_MILLIS / 1000, PER_WINDOW);
        }
        if (allowed) {
            return FilterReply.NEUTRAL;
        }
        SUPPRESSED.incrementAndGet();
        return FilterReply.DENY;
    }
}
