package chatcache.replication;

import chatcache.background.Repeater;
import chatcache.message.CacheCompleteness;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices when Redis stops holding a complete copy (a cold start, or Redis flushed or restarted
 * empty while the server runs; on a Redis Cluster, a primary that lost its data) and rebuilds
 * what lost its claim in the background: everything on one Redis, the groups of chats whose claim
 * is gone with groups. Readers of those chats meanwhile get MySQL's answers.
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
            copied = rebuild.rebuildLacking((done, total) -> {
                if (done == 0) {
                    log.info("Redis does not hold a complete copy: rebuilding it from MySQL (the chats of each group"
                            + " that lost its claim); readers of those chats get MySQL meanwhile");
                } else if (done % 100_000 == 0) {
                    log.info(total > 0 ? "rebuild: {} of {} messages" : "rebuild: {} messages", done, total);
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
