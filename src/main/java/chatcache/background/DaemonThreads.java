package chatcache.background;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Named daemon threads for the executors of background work. why daemon: such work must never
 * keep a stopping process alive; what has to finish is finished by its owner's close.
 */
public final class DaemonThreads {
    private DaemonThreads() {
    }

    /** Threads called {@code name}, or {@code name-1}, {@code name-2}... when {@code numbered}. */
    public static ThreadFactory named(String name, boolean numbered) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, numbered ? name + "-" + n.incrementAndGet() : name);
            t.setDaemon(true);
            return t;
        };
    }
}
