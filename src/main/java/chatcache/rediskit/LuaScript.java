package chatcache.rediskit;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * One of our Lua scripts: the text of {@code schema/lua/<name>.lua} (shipped in the jar), after
 * any preludes (Lua that defines what the script uses: constants named from Java, shared
 * functions), run by its SHA-1. This is the one way scripts run: {@link #eval} on a connection
 * (EVALSHA; after NOSCRIPT, SCRIPT LOAD and EVALSHA again), or {@link CommandQueue#script} in a
 * pipeline or transaction ({@link Transactions}, {@link Pipelines}), which load what Redis has
 * forgotten and repeat. why by SHA: the text (up to a few KB) is not sent with every call.
 */
public final class LuaScript {
    private static final String FOLDER = "/schema/lua/";

    private final String name;
    private final String text;
    private final String sha;

    private LuaScript(String name, String text) {
        this.name = name;
        this.text = text;
        this.sha = sha1(text);
    }

    /** The script {@code schema/lua/<name>.lua}, after these preludes. */
    public static LuaScript load(String name, String... preludes) {
        return new LuaScript(name, String.join("", preludes) + resource(name));
    }

    /** The text of {@code schema/lua/<name>.lua}, for use as another script's prelude. */
    public static String resource(String name) {
        String path = FOLDER + name + ".lua";
        try (InputStream in = LuaScript.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + path, e);
        }
    }

    public String name() {
        return name;
    }

    /** The SHA-1 by which EVALSHA names the script. */
    public String sha() {
        return sha;
    }

    /** Runs the script; if Redis does not know it (restarted, SCRIPT FLUSH), loads it and runs it again. */
    public Object eval(Jedis jedis, List<String> keys, List<String> args) {
        try {
            return jedis.evalsha(sha, keys, args);
        } catch (JedisNoScriptException e) {
            loadInto(jedis);
            return jedis.evalsha(sha, keys, args);
        }
    }

    /** Makes the script known to Redis. */
    public void loadInto(Jedis jedis) {
        jedis.scriptLoad(text);
    }

    /** Whether a reply (or the error of one) says that Redis did not know a script. */
    public static boolean isNoScript(Object reply) {
        return reply instanceof JedisNoScriptException
                || reply instanceof JedisDataException e && String.valueOf(e.getMessage()).startsWith("NOSCRIPT");
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e);
        }
    }

    @Override
    public String toString() {
        return name + ".lua";
    }
}
