package chatcache.replication;

import chatcache.logging.ExceptionText;
import chatcache.message.MessageCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Loads chats that a reader found Redis not holding, in the background: at most {@value #THREADS}
 * at a time on this instance, one per chat across instances (its {@link ChatLocks lock}; a chat
 * another instance loads is left to it), each chat once while it waits. Readers meanwhile get
 * MySQL's answers, as while any chat loads.
 */
public final class ChatWarmer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChatWarmer.class);
    private static final int THREADS = 2;
    /** Chats waiting at most; a reader of another cold chat then just gets MySQL's answer. */
    private static final int MAX_WAITING = 1_000;

    private final ChatLoad load;
    private final MessageCache cache;
    private final Set<Long> waiting = ConcurrentHashMap.newKeySet();
    private final ExecutorService workers = Executors.newFixedThreadPool(THREADS, r -> {
        Thread t = new Thread(r, "chat-warmer");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong warmed = new AtomicLong();
    private final AtomicLong warmedMillis = new AtomicLong();

    ChatWarmer(ChatLoad load, MessageCache cache) {
        this.load = load;
        this.cache = cache;
    }

    /** Asks for the chat to be loaded, in the background; returns at once. */
    public void warm(long chatId) {
        if (waiting.size() < MAX_WAITING && waiting.add(chatId)) {
            try {
                workers.execute(() -> {
                    try {
                        warmNow(chatId);
                    } finally {
                        waiting.remove(chatId);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                waiting.remove(chatId); // closing
            }
        }
    }

    /** Loads the chat now, unless another loader holds it; whether this call loaded it. */
    public boolean warmNow(long chatId) {
        long start = System.nanoTime();
        try {
            Optional<ChatLoad.Loaded> loaded = load.load(chatId, n -> { }, null, l -> { });
            if (loaded.isEmpty()) {
                return false;
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            warmed.incrementAndGet();
            warmedMillis.addAndGet(millis);
            log.debug("chat {} loaded into Redis: {} messages in {} ms", chatId, loaded.get().count(), millis);
            return true;
        } catch (RuntimeException e) {
            log.warn("chat {} could not be loaded into Redis (its readers get MySQL): {}", chatId, ExceptionText.summary(e));
            dropQuietly(chatId); // why: half a window must not stay, nor the chat stay marked as loading
            return false;
        }
    }

    private void dropQuietly(long chatId) {
        try {
            cache.drop(chatId);
        } catch (RuntimeException e) {
            log.warn("chat {} could not be dropped from Redis after its load failed: {}", chatId, ExceptionText.summary(e));
        }
    }

    /** Chats this instance loaded since start, and the milliseconds they took in all. */
    public long warmed() {
        return warmed.get();
    }

    public long warmedMillis() {
        return warmedMillis.get();
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }
}
