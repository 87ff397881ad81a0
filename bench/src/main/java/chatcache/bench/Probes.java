package chatcache.bench;

import chatcache.ChatCache;
import chatcache.query.MessageField;
import chatcache.redis.KeySpace;
import chatcache.redis.OrderIndex;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.util.SafeEncoder;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Figures read from the servers themselves: statement counters and memory. */
final class Probes {
    static final List<String> COUNTERS = List.of("Com_select", "Com_update", "Com_insert", "Com_delete", "Questions");
    private static final ProtocolCommand FT_INFO = () -> SafeEncoder.encode("FT.INFO");
    private static final ProtocolCommand MEMORY = () -> SafeEncoder.encode("MEMORY");
    /** FT.INFO fields (MB) that together are the index's memory. */
    static final List<String> INDEX_SIZES = List.of("inverted_sz_mb", "offset_vectors_sz_mb", "doc_table_size_mb",
            "sortable_values_size_mb", "key_table_size_mb");

    /** An FT.INFO size above this many MB is a wrapped-around counter, not memory. */
    static final double UNDERFLOW_MB = 1e9;

    private Probes() {
    }

    /** MySQL's global statement counters (every connection of the server, the bench's own included). */
    static Map<String, Long> mysqlCounters(ChatCache cache) throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        try (Connection c = cache.database().dataSource().getConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW GLOBAL STATUS WHERE Variable_name IN"
                     + " ('Com_select', 'Com_update', 'Com_insert', 'Com_delete', 'Questions')")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        Map<String, Long> ordered = new LinkedHashMap<>();
        for (String k : COUNTERS) {
            ordered.put(k, out.getOrDefault(k, 0L));
        }
        return ordered;
    }

    static Map<String, Long> minus(Map<String, Long> after, Map<String, Long> before) {
        Map<String, Long> d = new LinkedHashMap<>();
        for (String k : COUNTERS) {
            d.put(k, after.getOrDefault(k, 0L) - before.getOrDefault(k, 0L));
        }
        return d;
    }

    static Map<String, Long> plus(Map<String, Long> a, Map<String, Long> b) {
        Map<String, Long> d = new LinkedHashMap<>();
        for (String k : COUNTERS) {
            d.put(k, a.getOrDefault(k, 0L) + b.getOrDefault(k, 0L));
        }
        return d;
    }

    /** Redis's used_memory (every primary's, summed, on a cluster). */
    static long usedMemory(ChatCache cache) {
        return cache.cacheState().memory().usedBytes();
    }

    /** FT.INFO of the index of a group of chats as field → text (nested values as their toString). */
    static Map<String, String> ftInfo(ChatCache cache, KeySpace keys) {
        Map<String, String> out = new LinkedHashMap<>();
        cache.redis().run(keys.route(), "read the index's sizes", jedis -> {
            List<?> reply = (List<?>) jedis.sendCommand(FT_INFO, keys.index());
            for (int i = 0; i + 1 < reply.size(); i += 2) {
                Object v = reply.get(i + 1);
                out.put(text(reply.get(i)), v instanceof byte[] || v instanceof Long ? text(v) : String.valueOf(v));
            }
        });
        return out;
    }

    private static String text(Object o) {
        return o instanceof byte[] b ? SafeEncoder.encode(b) : String.valueOf(o);
    }

    static long memoryUsage(Jedis jedis, String key) {
        Object r = jedis.sendCommand(MEMORY, "USAGE", key, "SAMPLES", "0");
        return r instanceof Long l ? l : 0;
    }

    /** Redis memory of one chat, measured key by key, and the index's share (FT.INFO, averaged over its documents). */
    record RedisFootprint(long messages, double hashBytesPerMessage, double orderSetBytesPerMessage,
                          double indexBytesPerMessage, long indexDocs, Map<String, String> indexSizesMb,
                          double avgTextChars) {
        double totalPerMessage() {
            return hashBytesPerMessage + orderSetBytesPerMessage + indexBytesPerMessage;
        }
    }

    static RedisFootprint redisFootprint(ChatCache cache, long chatId, List<Long> authors) throws SQLException {
        List<Long> sample = new ArrayList<>();
        double avgChars;
        long n;
        try (Connection c = cache.database().dataSource().getConnection()) {
            try (PreparedStatement q = c.prepareStatement("SELECT id FROM messages WHERE chat_id = ? ORDER BY id DESC LIMIT 200")) {
                q.setLong(1, chatId);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        sample.add(rs.getLong(1));
                    }
                }
            }
            try (PreparedStatement q = c.prepareStatement("SELECT COUNT(*), AVG(CHAR_LENGTH(message)) FROM messages WHERE chat_id = ?")) {
                q.setLong(1, chatId);
                try (ResultSet rs = q.executeQuery()) {
                    rs.next();
                    n = rs.getLong(1);
                    avgChars = rs.getDouble(2);
                }
            }
        }
        double hash;
        double sets;
        KeySpace keys = cache.groups().of(chatId);
        double[] measured = cache.redis().call(keys.route(), "measure a chat's keys", jedis -> {
            long sum = 0;
            for (long id : sample) {
                sum += memoryUsage(jedis, keys.message(id));
            }
            List<String> lists = new ArrayList<>(List.of(keys.order(chatId)));
            for (long a : authors) {
                lists.add(keys.order(chatId, a));
            }
            long setBytes = 0;
            for (String list : lists) {
                for (String key : OrderIndex.keys(jedis, list)) {
                    setBytes += memoryUsage(jedis, key);
                }
            }
            return new double[] {sample.isEmpty() ? 0 : (double) sum / sample.size(), (double) setBytes / Math.max(1, n)};
        });
        hash = measured[0];
        sets = measured[1];
        Map<String, String> info = ftInfo(cache, keys);
        long docs = parseLong(info.get("num_docs"));
        Map<String, String> sizes = new LinkedHashMap<>();
        double mb = 0;
        for (String k : INDEX_SIZES) {
            String v = info.get(k);
            if (v != null) {
                double d = parseDouble(v);
                // why: RediSearch 1.2 decrements these counters below zero on deletes (an unsigned
                // underflow: inverted_sz_mb 17592186044415 after FT.DEL); such a value is no size
                if (Double.isFinite(d) && d >= 0 && d < UNDERFLOW_MB) {
                    sizes.put(k, v);
                    mb += d;
                } else {
                    sizes.put(k, v + " (underflowed, not counted)");
                }
            }
        }
        double index = docs > 0 ? mb * 1024 * 1024 / docs : Double.NaN;
        return new RedisFootprint(n, hash, sets, index, docs, sizes, avgChars);
    }

    /**
     * The messages table in MySQL: data and index bytes (information_schema) over its rows; and
     * {@code message_words} (the text filter's rows, ~14 a message), whose bytes count per message too.
     */
    record MysqlFootprint(long rows, long dataBytes, long indexBytes, long wordRows, long wordBytes) {
        double perRow() {
            return rows == 0 ? Double.NaN : (double) (dataBytes + indexBytes) / rows;
        }

        double wordBytesPerMessage() {
            return rows == 0 ? Double.NaN : (double) wordBytes / rows;
        }
    }

    static MysqlFootprint mysqlFootprint(ChatCache cache) throws SQLException {
        try (Connection c = cache.database().dataSource().getConnection(); Statement s = c.createStatement()) {
            // why: counting tens of millions of word rows (the popularity run's 2,000,000 messages)
            // takes longer than the pool's 10 s socket timeout; the pool resets it on return
            c.setNetworkTimeout(Runnable::run, 600_000);
            // why: InnoDB's sizes and row estimate in information_schema lag behind bulk loads until analysed
            s.execute("ANALYZE TABLE messages, message_words");
            long rows;
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM messages")) {
                rs.next();
                rows = rs.getLong(1);
            }
            long wordRows;
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM message_words")) {
                rs.next();
                wordRows = rs.getLong(1);
            }
            long data = 0;
            long index = 0;
            long words = 0;
            try (ResultSet rs = s.executeQuery("SELECT table_name, data_length, index_length FROM information_schema.TABLES"
                    + " WHERE table_schema = DATABASE() AND table_name IN ('messages', 'message_words')")) {
                while (rs.next()) {
                    if (rs.getString(1).equals("messages")) {
                        data = rs.getLong(2);
                        index = rs.getLong(3);
                    } else {
                        words = rs.getLong(2) + rs.getLong(3);
                    }
                }
            }
            return new MysqlFootprint(rows, data, index, wordRows, words);
        }
    }

    static long parseLong(String s) {
        try {
            return s == null ? 0 : (long) Double.parseDouble(s.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static double parseDouble(String s) {
        try {
            return s == null ? Double.NaN : Double.parseDouble(s.strip());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static final ProtocolCommand FT_SEARCH = () -> SafeEncoder.encode("FT.SEARCH");

    /** Unread messages of a chat by the index (FT.SEARCH's total, no documents returned). */
    static long redisUnread(ChatCache cache, long chatId) {
        KeySpace keys = cache.groups().of(chatId);
        return cache.redis().call(keys.route(), "count unread messages", jedis -> {
            List<?> reply = (List<?>) jedis.sendCommand(FT_SEARCH, keys.index(),
                    "@" + MessageField.CHAT_ID.redisField() + ":{" + chatId + "} @" + MessageField.READ.redisField() + ":{0}",
                    "NOCONTENT", "LIMIT", "0", "1"); // why not LIMIT 0 0: RediSearch 1.2 refuses it
            return (Long) reply.get(0);
        });
    }

    /** Read-mark entries waiting in every group's stream. */
    static long streamLength(ChatCache cache) {
        return cache.readMarks().backlog();
    }
}
