package chatcache.bench;

import chatcache.ChatCache;
import chatcache.message.Message;
import chatcache.message.CacheRebuild;
import chatcache.user.Role;
import chatcache.redis.OrderIndex;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * The bench's own chat: made to hold at least N messages in MySQL and the same messages in Redis,
 * through bulk paths (batched JDBC INSERTs, then {@code RedisMessages.putAll}, which writes exactly
 * the layout of the app's write path). A chat that already holds N messages is reused; a Redis
 * copy that differs from MySQL is rebuilt with the program's own {@link CacheRebuild}.
 */
final class BenchChat {
    static final int BATCH = 1000;
    static final int AUTHORS = 20;
    private static final String INSERT = "INSERT INTO messages (chat_id, user_id, message, created_at, data, is_read)"
            + " VALUES (?, ?, ?, ?, ?, ?)";

    private BenchChat() {
    }

    /**
     * Makes chat {@code chatId} hold at least {@code n} messages in MySQL and exactly the same in
     * Redis, and makes sure Redis claims a complete copy, so that the Redis route answers.
     */
    static ChatLoad prepare(ChatCache cache, long chatId, int n, PrintStream log) throws SQLException {
        long existing = mysqlCount(cache, chatId);
        long inserted = 0;
        long[] millis = {0, 0};
        long wallMillis = 0;
        long redisBytes = 0;
        if (existing >= n) {
            log.printf("bench: chat %d already holds %d messages in MySQL; reusing it%n", chatId, existing);
        } else {
            long missing = n - existing;
            log.printf("bench: %s %d messages into chat %d (batches of %d, %d authors)%n",
                    existing == 0 ? "loading" : "topping up with", missing, chatId, BATCH, AUTHORS);
            // why: until the load is done and checked, readers of this chat must get MySQL; a bench
            // that dies half-way leaves the chat marked, and the next run repairs it
            cache.cacheState().markChatRebuilding(chatId);
            long memoryBefore = Probes.usedMemory(cache);
            long t0 = System.nanoTime();
            millis = load(cache, chatId, existing, missing, log, authors(cache));
            wallMillis = (System.nanoTime() - t0) / 1_000_000;
            redisBytes = Probes.usedMemory(cache) - memoryBefore;
            inserted = missing;
        }
        long inMysql = existing + inserted;

        long chatRebuilt = 0;
        long chatRebuildMillis = 0;
        String drift = redisDrift(cache, chatId);
        if (drift == null) {
            cache.cacheState().markChatComplete(chatId);
        } else {
            log.printf("bench: Redis's copy of chat %d differs from MySQL (%s); rebuilding that chat from MySQL%n",
                    chatId, drift);
            long t0 = System.nanoTime();
            chatRebuilt = cache.rebuild().rebuild(Optional.of(chatId), progress(log, "chat rebuild"));
            chatRebuildMillis = (System.nanoTime() - t0) / 1_000_000;
            String still = redisDrift(cache, chatId);
            if (still != null) {
                throw new IllegalStateException("after a rebuild, Redis's copy of chat " + chatId + " still differs: " + still);
            }
        }

        long cacheRebuilt = 0;
        long cacheRebuildMillis = 0;
        if (!cache.cacheState().holdsAll()) {
            // why: without the claim the Redis route answers from MySQL; the server's guard would
            // rebuild at start just the same, this only does it before measuring, not during
            log.printf("bench: Redis claims no complete copy (after a flush or a restart); rebuilding the whole"
                    + " cache from MySQL (%d messages), as the server would%n", cache.mysqlMessages().count(Optional.empty()));
            long t0 = System.nanoTime();
            cacheRebuilt = cache.rebuild().rebuild(Optional.empty(), progress(log, "full rebuild"));
            cacheRebuildMillis = (System.nanoTime() - t0) / 1_000_000;
        }
        return new ChatLoad(chatId, inMysql, inserted, wallMillis, millis[0], millis[1], redisBytes, chatRebuilt,
                chatRebuildMillis, cacheRebuilt, cacheRebuildMillis);
    }

    /** Null when Redis indexes and orders exactly the chat's MySQL messages; else what differs. */
    private static String redisDrift(ChatCache cache, long chatId) throws SQLException {
        Set<Long> inMysql = new HashSet<>();
        try (Connection c = cache.database().dataSource().getConnection();
             PreparedStatement q = c.prepareStatement("SELECT id FROM messages WHERE chat_id = ?")) {
            q.setLong(1, chatId);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    inMysql.add(rs.getLong(1));
                }
            }
        }
        Set<Long> ordered = cache.redisMessages().orderedIds(chatId);
        long indexed = cache.redisMessages().indexedCount(chatId);
        if (!ordered.equals(inMysql)) {
            return "MySQL " + inMysql.size() + " messages, Redis's order index " + ordered.size()
                    + (ordered.size() == inMysql.size() ? " with other ids" : "");
        }
        if (indexed != inMysql.size()) {
            return "MySQL " + inMysql.size() + " messages, the index " + indexed;
        }
        return null;
    }

    private static CacheRebuild.Progress progress(PrintStream log, String what) {
        long[] next = {0};
        return (done, total) -> {
            if (total > 0 && done >= next[0]) {
                log.printf("bench:   %s: %,d / %,d messages%n", what, done, total);
                next[0] = done + Math.max(1, total / 10);
            }
        };
    }

    /**
     * Inserts {@code count} messages after the chat's newest: 20 authors, text of 40..120
     * characters, createdAt rising by 1..3 ms with about one step in six being 0 (equal times).
     * Each batch goes to MySQL (one multi-row INSERT, committed), then to Redis.
     */
    private static long[] load(ChatCache cache, long chatId, long existing, long count, PrintStream log, long[] authors)
            throws SQLException {
        Random random = new Random(chatId * 31 + existing);
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
                        long author = authors[random.nextInt(authors.length)];
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

    /** The bench's 20 authors (users bench-author-01..20), made on first use. */
    static long[] authors(ChatCache cache) {
        long[] authors = new long[AUTHORS];
        for (int i = 0; i < AUTHORS; i++) {
            authors[i] = cache.authenticator().issue(String.format("bench-author-%02d", i + 1), Role.USER).user().id();
        }
        return authors;
    }

    /**
     * Makes the background chats (ids {@link BenchOptions#backgroundChatId}) hold {@code messages}
     * messages each in both stores: counted with one GROUP BY and one pipeline of ZCARDs, the missing
     * ones loaded through the same bulk path, any whose Redis copy differs rebuilt. Returns a summary.
     */
    static String prepareBackground(ChatCache cache, BenchOptions o, PrintStream log) throws SQLException {
        int chats = o.backgroundChats();
        int messages = o.backgroundMessages();
        if (chats == 0 || messages == 0) {
            return "no background chats";
        }
        long first = o.backgroundChatId(0);
        long last = o.backgroundChatId(chats - 1);
        java.util.Map<Long, Long> counts = new java.util.HashMap<>();
        try (Connection c = cache.database().dataSource().getConnection();
             PreparedStatement q = c.prepareStatement("SELECT chat_id, COUNT(*) FROM messages WHERE chat_id BETWEEN ? AND ?"
                     + " GROUP BY chat_id")) {
            q.setLong(1, first);
            q.setLong(2, last);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getLong(1), rs.getLong(2));
                }
            }
        }
        List<Long> missing = new ArrayList<>();
        for (int i = 0; i < chats; i++) {
            if (counts.getOrDefault(o.backgroundChatId(i), 0L) < messages) {
                missing.add(o.backgroundChatId(i));
            }
        }
        long t0 = System.nanoTime();
        if (!missing.isEmpty()) {
            log.printf("bench: loading background chats: %d of %d chats lack messages (%d each)%n", missing.size(), chats, messages);
            long[] authors = authors(cache);
            PrintStream quiet = new PrintStream(java.io.OutputStream.nullOutputStream());
            int done = 0;
            for (long chatId : missing) {
                long existing = counts.getOrDefault(chatId, 0L);
                cache.cacheState().markChatRebuilding(chatId);
                load(cache, chatId, existing, messages - existing, quiet, authors);
                counts.put(chatId, (long) messages);
                done++;
                if (done % Math.max(1, missing.size() / 10) == 0 || done == missing.size()) {
                    log.printf("bench:   background: %,d / %,d chats  %.1f s%n", done, missing.size(),
                            (System.nanoTime() - t0) / 1e9);
                }
            }
        }
        // Redis's copy: the size of every chat's order index; any that differs from MySQL is rebuilt
        List<Long> drifted = new ArrayList<>();
        try (redis.clients.jedis.Jedis jedis = cache.redisPool().getResource()) {
            for (int i = 0; i < chats; i++) {
                long chatId = o.backgroundChatId(i);
                if (OrderIndex.size(jedis, OrderIndex.chatList(chatId)) != counts.getOrDefault(chatId, 0L).longValue()) {
                    drifted.add(chatId);
                }
            }
        }
        for (long chatId : drifted) {
            cache.rebuild().rebuild(java.util.Optional.of(chatId), (d, t) -> { });
        }
        for (int i = 0; i < chats; i++) {
            cache.cacheState().markChatComplete(o.backgroundChatId(i));
        }
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        return String.format(java.util.Locale.ROOT, "%,d background chats (%,d messages%s); %s%s", chats, total,
                " in all", missing.isEmpty() ? "reused" : "loaded " + missing.size() + " in "
                        + String.format(java.util.Locale.ROOT, "%.1f s", (System.nanoTime() - t0) / 1e9),
                drifted.isEmpty() ? "" : "; " + drifted.size() + " rebuilt in Redis (differed)");
    }

    /** Messages per author in a chat, most first. */
    static java.util.LinkedHashMap<Long, Long> authorCounts(ChatCache cache, long chatId) throws SQLException {
        java.util.LinkedHashMap<Long, Long> out = new java.util.LinkedHashMap<>();
        try (Connection c = cache.database().dataSource().getConnection();
             PreparedStatement q = c.prepareStatement("SELECT user_id, COUNT(*) n FROM messages WHERE chat_id = ?"
                     + " GROUP BY user_id ORDER BY n DESC")) {
            q.setLong(1, chatId);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getLong(1), rs.getLong(2));
                }
            }
        }
        return out;
    }

    static chatcache.query.OrderKey orderKeyOf(ChatCache cache, long messageId) throws SQLException {
        try (Connection c = cache.database().dataSource().getConnection();
             PreparedStatement q = c.prepareStatement("SELECT created_at FROM messages WHERE id = ?")) {
            q.setLong(1, messageId);
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("no message " + messageId);
                }
                return new chatcache.query.OrderKey(rs.getLong(1), messageId);
            }
        }
    }

    /** Up to {@code count} ids spread over the chat, newest first, for sampled comparisons. */
    static List<Long> spreadIds(ChatCache cache, long chatId, long authorId, int count, long seed) throws SQLException {
        List<Long> all = new ArrayList<>();
        try (Connection c = cache.database().dataSource().getConnection();
             PreparedStatement q = c.prepareStatement("SELECT id FROM messages WHERE chat_id = ?"
                     + (authorId > 0 ? " AND user_id = ?" : "") + " ORDER BY created_at DESC, id DESC")) {
            q.setLong(1, chatId);
            if (authorId > 0) {
                q.setLong(2, authorId);
            }
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    all.add(rs.getLong(1));
                }
            }
        }
        Random random = new Random(seed);
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < count && !all.isEmpty(); i++) {
            out.add(all.get(random.nextInt(all.size())));
        }
        return out;
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
