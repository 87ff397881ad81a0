package chatcache.redis;

import chatcache.core.BackendUnavailableException;
import chatcache.events.ChatEvents;
import chatcache.events.EventRetention;
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
    /** Its value, the instant of the last full rebuild, also names the events' epoch (RedisEventLog). */
    public static final String COMPLETE = "chatcache:complete";
    static final String REBUILDING = "chatcache:rebuilding";

    private final JedisPool pool;
    private final java.util.List<String> eventArgs;

    /**
     * @param events how much of a chat's event stream to keep when its rebuild appends a reset
     */
    public CacheState(JedisPool pool, EventRetention events) {
        this.pool = pool;
        this.eventArgs = EventAppend.args(events);
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

    /**
     * Also appends a reset to the chat's event stream, in the same step: what was written while
     * the chat was rebuilt appended no events, so a subscriber must reload it. Only if the chat
     * was marked (a mark that is not there changed nothing a subscriber could have missed).
     */
    @Override
    public void markChatComplete(long chatId) {
        java.util.List<String> keys = new java.util.ArrayList<>(java.util.List.of(ChatEvents.key(chatId)));
        keys.addAll(EventAppend.guardKeys());
        java.util.List<String> args = new java.util.ArrayList<>(eventArgs);
        args.add(Long.toString(chatId));
        args.add(ChatEvents.CHAT_REBUILT);
        run(jedis -> jedis.eval(COMPLETE_CHAT, keys, args));
    }

    /** KEYS: the chat's event stream, the guard keys; ARGV: max and retention, the chat, the reason. */
    private static final String COMPLETE_CHAT = EventAppend.script("""
            if redis.call('SREM', KEYS[3], ARGV[3]) == 0 then
              return 0
            end
            return append_event(KEYS[1], KEYS[2], KEYS[3], ARGV[3], ARGV[1], ARGV[2], {EV_TYPE, EV_RESET, EV_REASON, ARGV[4]})
            """);

    private void run(java.util.function.Consumer<Jedis> action) {
        try (Jedis jedis = pool.getResource()) {
            action.accept(jedis);
        } catch (JedisException e) {
            throw new BackendUnavailableException("Redis unavailable: " + e.getMessage(), e);
        }
    }
}
