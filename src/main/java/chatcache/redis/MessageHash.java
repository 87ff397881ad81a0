package chatcache.redis;

import chatcache.core.Message;
import chatcache.query.MessageField;
import chatcache.query.Words;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The Redis hash {@code messages:<id>} that holds one message (named by {@link KeySpace#message}). */
final class MessageHash {
    static final String TEXT = "message";
    static final String DATA = "data";
    static final String READ = MessageField.READ.redisField();
    static final String WORDS = MessageField.WORDS.redisField();

    private MessageHash() {
    }

    /** Every field but {@code read} (see {@link MessageWrites}). */
    static Map<String, String> fields(Message m) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put(MessageField.CHAT_ID.redisField(), Long.toString(m.chatId()));
        f.put(MessageField.USER_ID.redisField(), Long.toString(m.userId()));
        f.put(TEXT, m.text());
        f.put(MessageField.CREATED_AT.redisField(), Long.toString(m.createdAt()));
        if (m.data() != null) {
            f.put(DATA, m.data());
        }
        // why always, even empty: an edit must replace the words of the text it replaces
        f.put(WORDS, String.join(",", Words.of(m.text())));
        // why: no "read" here: a read mark only ever goes from 0 to 1, so writers set it apart
        // (HSETNX read 0, or HSET read 1) and a re-sent copy can never unmark a message
        return f;
    }

    /**
     * How long a read mark copied from MySQL for a message whose hash Redis does not have (yet) is
     * kept ({@link KeySpace#pendingRead}): a minute, so that the message's own write, should it
     * come after the mark (a post's copy overtaken by a reader on MySQL's route), starts out read.
     * why: nothing else would carry that mark to Redis, and the copy would stay unread.
     */
    static final int PENDING_READ_SECONDS = 60;

    /** Lua locals naming the hash's fields, and the key prefixes ({@link KeySpace#luaNames}), for scripts that read or write it. */
    static String luaNames() {
        return KeySpace.luaNames()
                + "local PENDING_READ_SECONDS = " + PENDING_READ_SECONDS + "\n"
                + "local H_CHAT = '" + MessageField.CHAT_ID.redisField() + "'\n"
                + "local H_USER = '" + MessageField.USER_ID.redisField() + "'\n"
                + "local H_TEXT = '" + TEXT + "'\n"
                + "local H_CREATED = '" + MessageField.CREATED_AT.redisField() + "'\n"
                + "local H_DATA = '" + DATA + "'\n"
                + "local H_READ = '" + READ + "'\n";
    }

    /** The messages whose hashes Redis holds, by id, in one pipeline (partial hashes are left out). */
    static Map<Long, Message> readAll(Jedis jedis, KeySpace keys, Collection<Long> ids) {
        Pipeline p = jedis.pipelined();
        Map<Long, Response<Map<String, String>>> replies = new LinkedHashMap<>();
        for (long id : ids) {
            replies.put(id, p.hgetAll(keys.message(id)));
        }
        p.sync();
        Map<Long, Message> found = new LinkedHashMap<>();
        replies.forEach((id, reply) -> {
            Map<String, String> fields = reply.get();
            if (isMessage(fields)) {
                found.put(id, toMessage(id, fields));
            }
        });
        return found;
    }

    /** The fields the order index's 'fetch' returns for each key, in this order (schema/lua/order-index.lua). */
    static final List<String> FETCHED = List.of(MessageField.CHAT_ID.redisField(), MessageField.USER_ID.redisField(), TEXT,
            MessageField.CREATED_AT.redisField(), DATA, READ);

    /** The message of a hash's {@link #FETCHED} values (null for a field it lacks); empty for a partial hash. */
    static Optional<Message> fetched(long id, List<String> values) {
        Map<String, String> fields = new java.util.HashMap<>();
        for (int i = 0; i < FETCHED.size() && i < values.size(); i++) {
            if (values.get(i) != null) {
                fields.put(FETCHED.get(i), values.get(i));
            }
        }
        return isMessage(fields) ? Optional.of(toMessage(id, fields)) : Optional.empty();
    }

    /** False for an empty or partial hash (as a read mark racing a delete once could leave). */
    static boolean isMessage(Map<String, String> f) {
        return f.containsKey(MessageField.CHAT_ID.redisField()) && f.containsKey(MessageField.USER_ID.redisField())
                && f.containsKey(TEXT) && f.containsKey(MessageField.CREATED_AT.redisField());
    }

    static Message toMessage(long id, Map<String, String> f) {
        String key = "message " + id;
        return new Message(
                id,
                Long.parseLong(require(f, MessageField.CHAT_ID.redisField(), key)),
                Long.parseLong(require(f, MessageField.USER_ID.redisField(), key)),
                require(f, TEXT, key),
                Long.parseLong(require(f, MessageField.CREATED_AT.redisField(), key)),
                f.get(DATA),
                "1".equals(f.get(READ)));
    }

    private static String require(Map<String, String> f, String field, String key) {
        String v = f.get(field);
        if (v == null) {
            throw new IllegalStateException(key + " has no field " + field);
        }
        return v;
    }
}
