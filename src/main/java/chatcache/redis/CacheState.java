package chatcache.redis;

import chatcache.message.BackendUnavailableException;
import chatcache.message.CacheCompleteness;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisException;

import java.time.Instant;
import java.util.function.Supplier;

/**
 * The completeness of the cache, kept in Redis itself, so that losing Redis's data loses the
 * claim with it: {@code chatcache:complete} exists only after a full rebuild of an empty or
 * flushed Redis, and {@code chatcache:rebuilding} lists chats being rebuilt one by one.
 */
public final class CacheState implements CacheCompleteness {
    static final String COMPLETE = "chatcache:complete";
    static final String REBUILDING = "chatcache:rebuilding";

    private final JedisPool pool;

    public CacheState(JedisPool pool) {
        this.pool = pool;
    }

    /**
     * Queues on a pipeline the reads that tell whether Redis holds the whole chat; the answer is
     * there after the pipeline's sync. Reads of the order index check the same in their script.
     */
    static Supplier<Boolean> holds(Pipeline p, long chatId) {
        Response<Boolean> complete = p.exists(COMPLETE);
        Response<Boolean> rebuilding = p.sismember(REBUILDING, Long.toString(chatId));
        return () -> complete.get() && !rebuilding.get();
    }

    @Override
    public boolean holdsAll() {
        try (Jedis jedis = pool.getResource()) {
            return jedis.exists(COMPLETE);
        } catch (JedisException e) {
            throw new BackendUnavailableException("Redis cannot say what it holds: " + e.getMessage(), e);
        }
    }

    @Override
    public void markAllComplete() {
        run(jedis -> jedis.set(COMPLETE, Instant.now().toString()));
    }

    @Override
    public void markAllIncomplete() {
        run(jedis -> jedis.del(COMPLETE));
    }

    @Override
    public void markChatRebuilding(long chatId) {
        run(jedis -> jedis.sadd(REBUILDING, Long.toString(chatId)));
    }

    @Override
    public void markChatComplete(long chatId) {
        run(jedis -> jedis.srem(REBUILDING, Long.toString(chatId)));
    }

    private void run(java.util.function.Consumer<Jedis> action) {
        try (Jedis jedis = pool.getResource()) {
            action.accept(jedis);
        } catch (JedisException e) {
            throw new BackendUnavailableException("Redis unavailable: " + e.getMessage(), e);
        }
    }
}
