package chatcache.redis;

import redis.clients.jedis.util.SafeEncoder;

import java.util.ArrayList;
import java.util.List;

/** Raw replies of scripts and untyped commands (RESP2 bulk strings come as byte[]) as text. */
final class Replies {
    private Replies() {
    }

    /** A bulk string as text; null stays null (a nil reply, or a field a hash lacks). */
    static String text(Object reply) {
        return reply instanceof byte[] b ? SafeEncoder.encode(b) : (String) reply;
    }

    /** An array reply of bulk strings as text, nils kept as null. */
    static List<String> strings(Object reply) {
        List<?> raw = (List<?>) reply;
        List<String> out = new ArrayList<>(raw.size());
        for (Object o : raw) {
            out.add(text(o));
        }
        return out;
    }
}
