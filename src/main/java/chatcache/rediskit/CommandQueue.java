package chatcache.rediskit;

import redis.clients.jedis.PipeliningBase;
import redis.clients.jedis.Response;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.SetParams;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The commands a transaction ({@link Transactions}) or pipeline ({@link Pipelines}) queues, the
 * few kinds our writes use. It remembers the scripts queued, so that those Redis has forgotten
 * can be loaded before the attempt is repeated, and which replies must not be errors.
 */
public final class CommandQueue {
    private final PipeliningBase commands;
    private final Set<LuaScript> scripts = new LinkedHashSet<>();
    private final List<Response<?>> checked = new ArrayList<>();

    CommandQueue(PipeliningBase commands) {
        this.commands = commands;
    }

    /** Queues a call of the script by its SHA. */
    public Response<Object> script(LuaScript script, List<String> keys, List<String> args) {
        scripts.add(script);
        return checked(commands.evalsha(script.sha(), keys, args));
    }

    public void del(String key) {
        checked(commands.del(key));
    }

    public void set(String key, String value, SetParams params) {
        checked(commands.set(key, value, params));
    }

    /** Queues a module's command (FT.*); an error reply fails the attempt. */
    public void send(ProtocolCommand command, String... args) {
        checked(commands.sendCommand(command, args));
    }

    /** Queues a command whose error reply is expected at times and means nothing (e.g. FT.DEL of a hash the index never held). */
    public void sendAllowingError(ProtocolCommand command, String... args) {
        commands.sendCommand(command, args);
    }

    private <T> Response<T> checked(Response<T> reply) {
        checked.add(reply);
        return reply;
    }

    Set<LuaScript> scripts() {
        return scripts;
    }

    /** After the replies came: whether one said NOSCRIPT; throws on any other error reply of a checked command. */
    boolean scriptWasMissing() {
        boolean missing = false;
        for (Response<?> reply : checked) {
            try {
                reply.get();
            } catch (JedisDataException e) {
                if (!LuaScript.isNoScript(e)) {
                    throw e;
                }
                missing = true;
            }
        }
        return missing;
    }
}
