package chatcache.bench;

import chatcache.ChatCache;
import chatcache.message.Message;
import chatcache.query.MessageField;
import chatcache.redis.SearchIndex;
import chatcache.user.Role;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.util.SafeEncoder;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The bench's own chat: made to hold at least N messages in MySQL and the same messages in Redis,
 * through bulk paths (batched JDBC INSERTs, then {@code RedisMessages.putAll}, which writes exactly
 * the layout of the app's write path). A chat that already holds N messages is reused.
 */
final class BenchChat {
    static final int BATCH = 1000;
    static final int AUTHORS = 20;
    private static final ProtocolCommand FT_SEARCH = () -> SafeEncoder.encode("FT.SEARCH");
    private static final String INSERT = "INSERT INTO messages (chat_id, user_id, message, created_at, data, is_read)"
            + " VALUES (?, ?, ?, ?, ?, ?)";
    private static final String SELECT_COLUMNS = "SELECT id, chat_id, user_id, message, created_at, data, is_read"
            + " FROM messages";

    private BenchChat() {
    }

    /** Makes chat {@code chatId} hold at least {@code n} messages in both stores. */
    static ChatLoad prepare(ChatCache cache, long chatId, int n, PrintStream log) throws SQLException {
        long existing = mysqlCount(cache, chatId);
        long inserted = 0;
        long[] millis = {0, 0};
        long wallMillis = 0;
        if (existing >= n) {
            log.printf("bench: chat %d already holds %d messages in MySQL; reusing it%n", chatId, existing);
        } else {
            long missing = n - existing;
            log.printf("bench: %s %d messages into chat %d (batches of %d, %d authors)%n",
                    existing == 0 ? "loading" : "topping up with", missing, chatId, BATCH, AUTHORS);
            long t0 = System.nanoTime();
            millis = load(cache, chatId, existing, missing, log);
            wallMillis = (System.nanoTime() - t0) / 1_000_000;
            inserted = missing;
        }
        long inMysql = existing + inserted;
        long inRedis = redisCount(cache, chatId);
        long recached = 0;
        long recacheMillis = 0;
        if (inRedis > inMysql) {
            throw new IllegalStateException("Redis holds " + inRedis + " messages of chat " + chatId + " but MySQL only "
                    + inMysql + ": a stale copy; flush that Redis or pick another chat with --chat");
        }
        if (inRedis < inMysql) {
            log.printf("bench: Redis holds %d of the chat's %d messages; caching all of them again from MySQL%n",
                    inRedis, inMysql);
            long t0 = System.nanoTime();
            recached = recache(cache, chatId);
            recacheMillis = (System.nanoTime() - t0) / 1_000_000;
            long after = redisCount(cache, chatId);
            if (after != inMysql) {
                throw new IllegalStateException("after re-caching, Redis holds " + after + " messages of chat " + chatId
                        + " and MySQL " + inMysql);
            }
        }
        return new ChatLoad(chatId, inMysql, inserted, wallMillis, millis[0], millis[1], recached, recacheMillis);
    }

    /**
     * Inserts {@code count} messages after the chat's newest: 20 authors, text of 40..120
     * characters, createdAt rising by 1..3 ms with about one step in six being 0 (equal times).
     * Each batch goes to MySQL (one multi-row INSERT, committed), then to Redis.
     */
    private static long[] load(ChatCache cache, long chatId, long existing, long count, PrintStream log)
            throws SQLException {
        Random random = new Random(chatId * 31 + existing);
        long[] authors = new long[AUTHORS];
        for (int i = 0; i < AUTHORS; i++) {
            authors[i] = cache.authenticator().issue(String.format("bench-author-%02d", i + 1), Role.USER).user().id();
        }
        long time = existing == 0 ? System.currentTimeMillis() - 3 * count - 3_600_000 : newestCreatedAt(cache, chatId) + 1;
        long mysqlNanos = 0;
        long redisNanos = 0;
        long done = 0;
        long nextReport = Math.max(1, count / 10);
        long started = System.nanoTime();
        try (Connection c = cache.database().dataSource().getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement(INSERT, Statement.RETURN_GENERATED_KEYS)) {
                while (done < count) {
                    int size = (int) Math.min(BATCH, count - done);
                    List<Message> drafts = new ArrayList<>(size);
                    for (int i = 0; i < size; i++) {
                        long seq = existing + done + i;
                        int step = random.nextInt(6) == 0 ? 0 : 1 + random.nextInt(3);
                        time += step;
                        long author = authors[random.nextInt(AUTHORS)];
                        String data = random.nextInt(10) == 0 ? "{\"seq\":" + seq + "}" : null;
                        drafts.add(new Message(0, chatId, author, ChatText.next(random), time, data, false));
                    }
                    long t0 = System.nanoTime();
                    List<Message> stored = insertBatch(c, insert, drafts);
                    long t1 = System.nanoTime();
                    cache.redisMessages().putAll(stored);
                    long t2 = System.nanoTime();
                    mysqlNanos += t1 - t0;
                    redisNanos += t2 - t1;
                    done += size;
                    if (done >= nextReport || done == count) {
                        double elapsed = (System.nanoTime() - started) / 1e9;
                        log.printf("bench:   %3d%%  %,d / %,d messages  %.1f s  %,.0f messages/s%n",
                                done * 100 / count, done, count, elapsed, done / Math.max(elapsed, 1e-9));
                        nextReport = Math.min(count, nextReport + Math.max(1, count / 10));
                    }
                }
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        return new long[] {mysqlNanos / 1_000_000, redisNanos / 1_000_000};
    }

    private static List<Message> insertBatch(Connection c, PreparedStatement insert, List<Message> drafts)
            throws SQLException {
        for (Message m : drafts) {
            insert.setLong(1, m.chatId());
            insert.setLong(2, m.userId());
            insert.setString(3, m.text());
            insert.setLong(4, m.createdAt());
            if (m.data() == null) {
                insert.setNull(5, Types.VARCHAR);
            } else {
                insert.setString(5, m.data());
            }
            insert.setBoolean(6, false);
            insert.addBatch();
        }
        insert.executeBatch();
        List<Message> stored = new ArrayList<>(drafts.size());
        try (ResultSet keys = insert.getGeneratedKeys()) {
            int i = 0;
            while (keys.next()) {
                if (i >= drafts.size()) {
                    throw new IllegalStateException("more generated ids than inserted rows");
                }
                Message m = drafts.get(i++);
                stored.add(new Message(keys.getLong(1), m.chatId(), m.userId(), m.text(), m.createdAt(), m.data(), false));
            }
        }
        if (stored.size() != drafts.size()) {
            throw new IllegalStateException("inserted " + drafts.size() + " rows but got " + stored.size() + " ids");
        }
        c.commit();
        return stored;
    }

    /** Copies every message of the chat from MySQL to Redis, read flags included. */
    private static long recache(ChatCache cache, long chatId) throws SQLException {
        long copied = 0;
        long after = 0;
        try (Connection c = cache.database().dataSource().getConnection();
             PreparedStatement q = c.prepareStatement(SELECT_COLUMNS
                     + " WHERE chat_id = ? AND id > ? ORDER BY id LIMIT " + BATCH)) {
            while (true) {
                q.setLong(1, chatId);
                q.setLong(2, after);
                List<Message> batch = new ArrayList<>(BATCH);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        batch.add(new Message(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getString(4),
                                rs.getLong(5), rs.getString(6), rs.getBoolean(7)));
                    }
                }
                if (batch.isEmpty()) {
                    return copied;
                }
                cache.redisMessages().putAll(batch);
                copied += batch.size();
                after = batch.get(batch.size() - 1).id();
            }
        }
    }

    static long mysqlCount(ChatCache cache, long chatId) throws SQLException {
        try (Connection c = cache.database().dataSource().getConnection();
             PreparedStatement q = c.prepareStatement("SELECT COUNT(*) FROM messages WHERE chat_id = ?")) {
            q.setLong(1, chatId);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static long newestCreatedAt(ChatCache cache, long chatId) throws SQLException {
        try (Connection c = cache.database().dataSource().getConnection();
             PreparedStatement q = c.prepareStatement("SELECT MAX(created_at) FROM messages WHERE chat_id = ?")) {
            q.setLong(1, chatId);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** How many of the chat's messages idx:messages finds: {@code FT.SEARCH ... LIMIT 0 1} replies with the total first (RediSearch 1.2 refuses LIMIT 0 0). */
    static long redisCount(ChatCache cache, long chatId) {
        try (Jedis jedis = cache.redisPool().getResource()) {
            Object reply = jedis.sendCommand(FT_SEARCH, SearchIndex.NAME,
                    "@" + MessageField.CHAT_ID.redisField() + ":{" + chatId + "}", "LIMIT", "0", "1");
            return (Long) ((List<?>) reply).get(0);
        }
    }

    /**
     * The message with {@code depth} newer messages above it in the chat (the (depth+1)-th newest),
     * in the one order of both stores.
     */
    static long anchorAtDepth(ChatCache cache, long chatId, int depth) throws SQLException {
        try (Connection c = cache.database().dataSource().getConnection();
             PreparedStatement q = c.prepareStatement("SELECT id FROM messages WHERE chat_id = ?"
                     + " ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ?")) {
            q.setLong(1, chatId);
            q.setInt(2, depth);
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("chat " + chatId + " has no message " + depth + " deep");
                }
                return rs.getLong(1);
            }
        }
    }
}
