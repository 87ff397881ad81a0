package chatcache.background;

import chatcache.logging.ExceptionText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs one step again and again on a daemon thread until closed: the shape of every relay and
 * guard here. A failing step (a store is down) is logged and retried after a pause that doubles
 * up to five seconds, so an outage neither spins nor floods the log.
 */
public final class Repeater implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Repeater.class);
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    private final String name;
    private final Runnable step;
    private final long pauseMillis;
    private volatile boolean running;
    private Thread thread;

    /**
     * @param step        one round of work; it may block for a while itself (e.g. XREADGROUP BLOCK)
     * @param pauseMillis the pause after a successful round (0 for none)
     */
    public Repeater(String name, Runnable step, long pauseMillis) {
        this.name = name;
        this.step = step;
        this.pauseMillis = pauseMillis;
    }

    public synchronized void start() {
        if (thread != null) {
            return;
        }
        running = true;
        thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        long backoff = 0;
        while (running && !Thread.currentThread().isInterrupted()) {
            try {
                step.run();
                backoff = 0;
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                backoff = Math.min(MAX_BACKOFF_MILLIS, Math.max(2 * backoff, 250));
                log.warn("{}: {} (retrying in {} ms)", name, ExceptionText.summary(e), backoff);
            }
            long pause = backoff > 0 ? backoff : pauseMillis;
            if (pause > 0) {
                // why: a poll interval or a back-off, not synchronisation; tests call the steps directly
                LockSupport.parkNanos(Duration.ofMillis(pause).toNanos());
            }
        }
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
            thread = null;
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
