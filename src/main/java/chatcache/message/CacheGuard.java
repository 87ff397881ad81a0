package chatcache.message;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * Notices when Redis stops holding a complete copy (a cold start, or Redis flushed or restarted
 * empty while the server runs) and rebuilds it in the background. Readers meanwhile get MySQL's
 * answers, because the completeness claim is gone with the data.
 */
public final class CacheGuard implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CacheGuard.class);
    private static final long CHECK_MILLIS = 1_000;

    private final CacheCompleteness state;
    private final CacheRebuild rebuild;
    private volatile boolean running;
    private Thread worker;

    public CacheGuard(CacheCompleteness state, CacheRebuild rebuild) {
        this.state = state;
        this.rebuild = rebuild;
    }

    public synchronized void start() {
        if (worker != null) {
            return;
        }
        running = true;
        worker = new Thread(this::loop, "cache-guard");
        worker.setDaemon(true);
        worker.start();
    }

    private void loop() {
        while (running) {
            try {
                if (!state.holdsAll()) {
                    log.info("Redis does not hold a complete copy: rebuilding it from MySQL; readers get MySQL meanwhile");
                    long copied = rebuild.rebuild(Optional.empty(), (done, total) -> {
                        if (total > 0 && done % 100_000 == 0) {
                            log.info("rebuild: {} of {} messages", done, total);
                        }
                    });
                    log.info("rebuild done: {} messages; Redis answers again", copied);
                }
            } catch (RuntimeException e) {
                log.warn("cannot rebuild the cache now: {}", e.toString());
            }
            try {
                Thread.sleep(CHECK_MILLIS); // why: a poll interval, not synchronisation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            running = false;
            t = worker;
            worker = null;
        }
        if (t != null) {
            t.interrupt();
        }
    }
}
