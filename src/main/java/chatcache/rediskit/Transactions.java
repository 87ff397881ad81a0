package chatcache.rediskit;

import chatcache.core.BackendUnavailableException;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;

import java.util.List;
import java.util.function.Consumer;

/**
 * MULTI/EXEC, with the one retry policy of this service. An attempt is repeated, at most
 * {@value #ATTEMPTS} attempts in all, when EXEC did nothing because a WATCHed key changed, or
 * when Redis did not know a script it queued (after a restart or SCRIPT FLUSH; the attempt's
 * scripts are loaded first). Then the write fails ({@link BackendUnavailableException},
 * DISAGREEMENT: the data kept changing under it). Any other error reply fails it at once.
 *
 * <p>why the whole attempt is repeated after NOSCRIPT: the commands around the missing script
 * ran, so every command queued must be idempotent (our scripts are: a write that changes nothing
 * appends no event); why five: the limit the two watched writes (caching and removing messages)
 * had before, with which the concurrency tests pass (the other two had their own: two attempts,
 * and no limit on NOSCRIPT). A WATCH conflict needs another writer of the same keys within an
 * attempt's few round trips; marking, the write where readers do collide, is one script instead.
 */
public final class Transactions {
    public static final int ATTEMPTS = 5;

    private Transactions() {
    }

    /** One attempt's preparation: after any WATCH and reads (on the connection, before MULTI), the commands to queue. */
    @FunctionalInterface
    public interface Attempt {
        /** @return what to queue in the transaction, or null when there is nothing to do (WATCHes are then cleared) */
        Consumer<CommandQueue> prepare(Jedis jedis);
    }

    /**
     * Runs the attempt until its transaction executes; false when an attempt found nothing to do.
     * Jedis's own exceptions (connection lost...) pass through, for {@link Redis} to map.
     *
     * @param what what the transaction does, for the error ("caching 3 messages")
     */
    public static boolean run(Jedis jedis, String what, Attempt attempt) {
        for (int i = 0; i < ATTEMPTS; i++) {
            Consumer<CommandQueue> commands = attempt.prepare(jedis);
            if (commands == null) {
                jedis.unwatch();
                return false;
            }
            Transaction tx = jedis.multi();
            CommandQueue queue = new CommandQueue(tx);
            commands.accept(queue);
            List<Object> replies = tx.exec();
            if (replies == null) {
                continue; // a WATCHed key changed
            }
            if (!queue.scriptWasMissing()) {
                return true;
            }
            queue.scripts().forEach(s -> s.loadInto(jedis));
        }
        throw new BackendUnavailableException(BackendUnavailableException.Reason.DISAGREEMENT,
                what + ": the data kept changing (or its scripts kept vanishing) over " + ATTEMPTS + " attempts", null);
    }
}
