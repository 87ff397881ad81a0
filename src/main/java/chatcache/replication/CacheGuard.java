package chatcache.replication;

import chatcache.background.Repeater;
import chatcache.message.CacheCompleteness;
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
    private final Repeater worker = new Repeater("cache-guard", this::check, CHECK_MILLIS);

    public CacheGuard(CacheCompleteness state, CacheRebuild rebuild) {
        this.state = state;
        this.rebuild = rebuild;
    }

    public void start() {
        worker.start();
    }

    private void check() {
        if (state.holdsAll()) {
            return;
        }
        long copied;
        try {
            copied = rebuild.rebuild(Optional.empty(), (done, total) -> {
                if (done == 0) {
                    log.info("Redis does not hold a complete copy: rebuilding it from MySQL; readers get MySQL meanwhile");
                } else if (total > 0 && done % 100_000 == 0) {
                    log.info("rebuild: {} of {} messages", done, total);
                }
            });
        } catch (CacheRebuild.AlreadyRunning e) {
            log.debug("{}", e.getMessage()); // another instance rebuilds; this one checks again later
            return;
        }
        log.info("rebuild done: {} messages; Redis answers again", copied);
    }

    @Override
    public void close() {
        worker.close();
    }
}
