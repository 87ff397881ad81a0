package chatcache.replication;

import chatcache.background.Repeater;
import chatcache.logging.ExceptionText;
import chatcache.message.ChatReads;
import chatcache.message.HeldChats;
import chatcache.message.MessageCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps Redis's memory within the budget: records which chats the Redis route reads (in memory,
 * written to Redis once a second), and, when Redis uses more than the budget, drops the least
 * recently read chats whole, one instance at a time (a lease), until it uses at most
 * {@value #LOW_WATER_PERCENT} % of it. A chat a reader found Redis not holding is loaded for its
 * next reads ({@link ChatWarmer}), unless its window alone would not fit in the budget: that chat
 * is served by MySQL (logged once, counted).
 *
 * <p>why Redis's {@code used_memory}: it is what runs out; chatcache expects a Redis of its own
 * (its other keys, tokens, rate limits and events, are small beside the messages).
 */
public final class CacheBudget implements ChatReads, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CacheBudget.class);
    /** Eviction goes on until Redis uses this share of the budget, so that it does not run at every post. */
    static final int LOW_WATER_PERCENT = 90;
    /** Chats dropped per round at most; the next round measures again (the engine may free some memory lazily). */
    private static final int EVICTIONS_PER_ROUND = 1_000;
    /**
     * Chats dropped together between two readings of Redis's memory. why several: each round trip
     * waits behind the readers' searches; measured (BENCHMARKS run O), one chat at a time evicted
     * 13 chats/s under 32 readers while warm-ups added 9, so memory never came down to the budget.
     */
    private static final int EVICTIONS_PER_READING = 16;
    /** The estimate of one held message's bytes that decides whether a window fits (README, Memory: 611 B measured). */
    static final long BYTES_PER_MESSAGE = 700;
    private static final long ROUND_MILLIS = 1_000;

    private final java.time.Clock clock;
    private final long budgetBytes;
    private final HeldChats held;
    private final MessageCache cache;
    private final ChatLocks locks;
    private final Lease lease;
    private final ChatWarmer warmer;
    private final java.util.function.LongUnaryOperator windowOf;
    private final Map<Long, Long> reads = new ConcurrentHashMap<>();
    private final Set<Long> tooLarge = ConcurrentHashMap.newKeySet();
    private final AtomicLong evictions = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final Repeater worker;

    /**
     * @param budgetBytes 0: no budget (nothing is evicted)
     * @param windowOf    how many messages a chat's window holds (for the estimate)
     */
    CacheBudget(java.time.Clock clock, long budgetBytes, HeldChats held, MessageCache cache, ChatLocks locks, Lease lease,
                ChatWarmer warmer, java.util.function.LongUnaryOperator windowOf) {
        this.clock = clock;
        this.budgetBytes = budgetBytes;
        this.held = held;
        this.cache = cache;
        this.locks = locks;
        this.lease = lease;
        this.warmer = warmer;
        this.windowOf = windowOf;
        this.worker = new Repeater("cache-budget", this::round, ROUND_MILLIS);
    }

    public void start() {
        worker.start();
    }

    /** The budget in bytes (0: none). */
    public long budgetBytes() {
        return budgetBytes;
    }

    @Override
    public void held(long chatId) {
        reads.put(chatId, clock.millis());
    }

    @Override
    public void cold(long chatId) {
        if (tooLarge.contains(chatId)) {
            refused.incrementAndGet();
            return;
        }
        if (budgetBytes > 0 && windowOf.applyAsLong(chatId) * BYTES_PER_MESSAGE > budgetBytes) {
            refused.incrementAndGet();
            if (tooLarge.size() < 100_000 && tooLarge.add(chatId)) {
                log.warn("chat {} is not loaded into Redis: its window (~{} bytes) alone exceeds the budget of {} bytes;"
                        + " MySQL serves it", chatId, windowOf.applyAsLong(chatId) * BYTES_PER_MESSAGE, budgetBytes);
            }
            return;
        }
        warmer.warm(chatId);
    }

    /**
     * One round: chats whose loader died are dropped and loaded again, the reads recorded since
     * the last round are written, then eviction if Redis is over the budget.
     */
    void round() {
        recoverDeadLoads();
        recordReads();
        if (budgetBytes > 0 && held.memory().usedBytes() > budgetBytes) {
            evict();
        }
    }

    /**
     * A chat marked as loading whose lock nobody holds was left by a loader that died (kill -9,
     * Redis or MySQL gone mid-load): what it loaded may include messages deleted since, so the
     * chat is dropped whole and loaded again. Returns how many.
     */
    public int recoverDeadLoads() {
        int recovered = 0;
        for (long chat : held.loading()) {
            Optional<String> token = locks.tryLock(chat);
            if (token.isEmpty()) {
                continue; // a live loader
            }
            try {
                if (!held.loading().contains(chat)) {
                    continue; // ended between the two reads
                }
                log.warn("chat {} was left half-loaded (its loader stopped): dropping it and loading it again", chat);
                cache.drop(chat);
                recovered++;
            } finally {
                locks.unlockAll(Map.of(chat, token.get()));
            }
            warmer.warm(chat);
        }
        return recovered;
    }

    /** Whether Redis uses the low-water share of the budget or more (never without a budget). */
    public boolean reached() {
        return budgetBytes > 0 && held.memory().usedBytes() >= budgetBytes / 100 * LOW_WATER_PERCENT;
    }

    /** Writes the reads recorded since the last time to Redis (where eviction finds them). */
    public void recordReads() {
        if (!reads.isEmpty()) {
            Map<Long, Long> batch = Map.copyOf(reads);
            batch.forEach(reads::remove);
            held.read(batch);
        }
    }

    /** Drops least recently read chats until Redis is under the low-water mark; returns how many. */
    public int evict() {
        if (!lease.tryAcquire()) {
            return 0; // another instance evicts
        }
        int dropped = 0;
        try {
            long target = budgetBytes / 100 * LOW_WATER_PERCENT;
            while (dropped < EVICTIONS_PER_ROUND && held.memory().usedBytes() > target) {
                List<Long> oldest = held.leastRecentlyRead(EVICTIONS_PER_READING);
                Map<Long, String> tokens = locks.tryLockAll(oldest);
                if (tokens.isEmpty()) {
                    break; // nothing held, or every candidate is being loaded or evicted by another
                }
                try {
                    long messages = cache.dropAll(List.copyOf(tokens.keySet()));
                    evictions.addAndGet(tokens.size());
                    dropped += tokens.size();
                    log.debug("chats {} evicted from Redis ({} messages)", tokens.keySet(), messages);
                } finally {
                    locks.unlockAll(tokens);
                }
            }
        } catch (RuntimeException e) {
            log.warn("eviction stopped: {}", ExceptionText.summary(e));
        } finally {
            lease.release();
        }
        return dropped;
    }

    /** Drops the chat from Redis under its lock; false if another loader or evictor holds it. */
    public boolean drop(long chatId) {
        Optional<String> token = locks.tryLock(chatId);
        if (token.isEmpty()) {
            return false;
        }
        try {
            long messages = cache.drop(chatId);
            evictions.incrementAndGet();
            log.debug("chat {} evicted from Redis ({} messages)", chatId, messages);
            return true;
        } finally {
            locks.unlockAll(Map.of(chatId, token.get()));
        }
    }

    /** Chats dropped since start, and cold chats refused for their size. */
    public long evictions() {
        return evictions.get();
    }

    public long refused() {
        return refused.get();
    }

    @Override
    public void close() {
        worker.close();
    }
}
