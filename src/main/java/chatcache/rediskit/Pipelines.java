package chatcache.rediskit;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.exceptions.JedisNoScriptException;

import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A pipeline that calls scripts: if Redis did not know one (restarted, SCRIPT FLUSH), the
 * pipeline's scripts are loaded and the whole pipeline is sent once more, so every command in it
 * must be idempotent. No MULTI: for reads, and for writes each of which stands alone.
 */
public final class Pipelines {
    private Pipelines() {
    }

    /**
     * @param commands queues the commands and returns how to read the answer once they ran
     */
    public static <T> T run(Jedis jedis, Function<CommandQueue, Supplier<T>> commands) {
        for (int attempt = 0; ; attempt++) {
            Pipeline p = jedis.pipelined();
            CommandQueue queue = new CommandQueue(p);
            Supplier<T> answer = commands.apply(queue);
            p.sync();
            if (!queue.scriptWasMissing()) { // which also throws on any other error reply
                return answer.get();
            }
            if (attempt > 0) {
                throw new JedisNoScriptException("NOSCRIPT again after loading " + queue.scripts());
            }
            queue.scripts().forEach(s -> s.loadInto(jedis));
        }
    }
}
