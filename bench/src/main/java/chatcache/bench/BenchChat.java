package chatcache.bench;

import chatcache.ChatCache;
import chatcache.core.Message;
import chatcache.mysql.MessageWords;
import chatcache.query.OrderKey;
import chatcache.query.Words;
import chatcache.redis.KeySpace;
import chatcache.redis.OrderIndex;
import chatcache.redis.RedisTokens;
import chatcache.replication.CacheRebuild;
import chatcache.user.Authenticator;
import chatcache.user.Role;
import chatcache.user.Tokens;
import chatcache.user.User;
import chatcache.user.UserToken;

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
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * The bench's own chat: made to hold at least N messages in MySQL and the same messages in Redis,
 * through bulk paths (batched JDBC INSERTs with the messages' words, then {@code RedisMessages.putAll},
 * which writes exactly the layout of the app's write path). A chat that already holds N messages
 * is reused; a Redis copy that differs from MySQL is rebuilt with the program's own {@link CacheRebuild}.
 *
 * <p>Layout of a large chat ({@link Layout}): the bench's API user (the MySQL route's caller)
 * writes 5 % of the older half and 50 % of the newer half, 20 bench authors the rest; the API
 * user's messages are unread, every other is read. why: a fetch marks what others wrote, so the
 * caller of the MySQL route never marks these, the Redis route's USER marks those on the pages
 * its rows read once before anything is measured, and the unread rows read the Redis route
 * anonymously (no marks): every row finds the same data every time. Marker words
 * ({@link ChatText#markers}) go into fixed shares of the messages by sequence number.
 */
final class BenchChat {
    static final int BATCH = 1000;
    static final int AUTHORS = 20;
    /** The API user that writes a large chat's unread messages and reads every chat on the MySQL route. */
    static final String API_USER = "bench-api-user";
    /** Per mille of the older half of a large chat written by the API user (and so unread). */
    static final int OLDER_UNREAD_PER_MILLE = 50;
    /** Per mille of the newer half written by the API user. */
    static final int NEWER_UNREAD_PER_MILLE = 500;

    /**
     * How a large chat of {@code size} messages is authored and read; background chats have none
     * (20 authors, all unread, as before).
     */
    record Layout(long size, long apiUser) {
        /** Per mille of the messages around sequence number {@code seq} that the API user writes. */
        int apiPerMille(long seq) {
            return seq < size / 2 ? OLDER_UNREAD_PER_MILLE : NEWER_UNREAD_PER_MILLE;
        }
    }

    private static final String INSERT = "INSERT INTO messages (chat_id, user_id, message, created_at, data, is_read)"
            + " VALUES (?, ?, ?, ?, ?, ?)";

    private BenchChat() {
    }

    /**
     * Makes chat {@code chatId} hold at least {@code n} messages in MySQL and exactly the same in
     * Redis, and makes sure Redis claims a complete copy, so that the Redis route answers.
     */
    static ChatLoad prepare(ChatCache cache, long chatId, int n, long apiUser, PrintStream log) throws SQLException {
        long existing = mysqlCount(cache, chatId);
        long inserted = 0;
        long[] millis = {0, 0};
        long wallMillis = 0;
        long redisBytes = 0;
        if (existing >= n) {
            log.printf("bench: chat %d already holds %d messages in MySQL; reusing it%n", chatId, existing);
        } else {
            long missing = n - existing;
            log.printf("bench: %s %d messages into chat %d (batches of %d, %d authors and API user %d, whose"
                            + " messages alone are unread)%n",
                    existing == 0 ? "loading" : "topping up with", missing, chatId, BATCH, AUTHORS, apiUser);
            // why: until the load is done and checked, readers of this chat must get MySQL; a bench
            // that dies half-way leaves the chat marked, and the next run repairs it
            cache.cacheState().markChatRebuilding(chatId);
            long memoryBefore = Probes.usedMemory(cache);
            long t0 = System.nanoTime();
            millis = load(cache, chatId, existing, missing, log, authors(cache), new Layout(n, apiUser), true);
            wallMillis = (System.nanoTime() - t0) / 1_000_000;
            redisBytes = Probes.usedMemory(cache) - memoryBefore;
            inserted = missing;
        }
        long inMysql = existing + inserted;

        long chatRebuilt = 0;
        long chatRebuildMillis = 0;
        String drift = redisDrift(cache, chatId);
        if (drift == null) {
            cache.cacheState().markChatComplete(chatId, Optional.empty()); // the boundary: where the load's trims left it
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

    /**
     * Null when Redis indexes and orders exactly the chat's window of MySQL's messages (its newest
     * CHATCACHE_CACHE_WINDOW, all when 0); else what differs.
     */
    private static String redisDrift(ChatCache cache, long chatId) throws SQLException {
        Set<Long> inMysql = new HashSet<>();
        int window = cache.health().cache().window();
        try (Connection c = setupConnection(cache);
             PreparedStatement q = c.prepareStatement("SELECT id FROM messages WHERE chat_id = ?"
                     + " ORDER BY created_at DESC, id DESC LIMIT ?")) {
            q.setLong(1, chatId);
            q.setLong(2, window == 0 ? Long.MAX_VALUE : window);
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
     * Inserts {@code count} messages after the chat's newest: 20 authors (and, with a layout, the
     * API user's share, unread, all others read), text of 40..120 characters with the marker words
     * of each sequence number, createdAt rising by 1..3 ms with about one step in six being 0
     * (equal times). Each batch goes to MySQL (one multi-row INSERT and the words, committed), then,
     * when {@code redisToo}, to Redis ({@code putAll}). Returns the milliseconds spent in each.
     */
    static long[] load(ChatCache cache, long chatId, long existing, long count, PrintStream log, long[] authors,
                       Layout layout, boolean redisToo) throws SQLException {
        Random random = new Random(chatId * 31 + existing);
        long time = existing == 0 ? System.currentTimeMillis() - 3 * count - 3_600_000 : newestCreatedAt(cache, chatId) + 1;
        long mysqlNanos = 0;
        long redisNanos = 0;
        long done = 0;
        long nextReport = Math.max(1, count / 10);
        long started = System.nanoTime();
        try (Connection c = setupConnection(cache)) {
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement(INSERT, Statement.RETURN_GENERATED_KEYS)) {
                while (done < count) {
                    int size = (int) Math.min(BATCH, count - done);
                    List<Message> drafts = new ArrayList<>(size);
                    for (int i = 0; i < size; i++) {
                        long seq = existing + done + i;
                        int step = random.nextInt(6) == 0 ? 0 : 1 + random.nextInt(3);
                        time += step;
                        boolean byApiUser = layout != null && random.nextInt(1000) < layout.apiPerMille(seq);
                        long author = byApiUser ? layout.apiUser() : authors[random.nextInt(authors.length)];
                        String data = random.nextInt(10) == 0 ? "{\"seq\":" + seq + "}" : null;
                        boolean read = layout != null && !byApiUser;
                        drafts.add(new Message(0, chatId, author, ChatText.next(random, seq), time, data, read));
                    }
                    long t0 = System.nanoTime();
                    List<Message> stored = insertBatch(c, insert, drafts);
                    long t1 = System.nanoTime();
                    if (redisToo) {
                        cache.redisMessages().putAll(stored);
                    }
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
            insert.setBoolean(6, m.read());
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
                stored.add(new Message(keys.getLong(1), m.chatId(), m.userId(), m.text(), m.createdAt(), m.data(), m.read()));
            }
        }
        if (stored.size() != drafts.size()) {
            throw new IllegalStateException("inserted " + drafts.size() + " rows but got " + stored.size() + " ids");
        }
        // why in the same transaction: the text filter of the MySQL route reads message_words
        MessageWords.insert(c, stored);
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
     * The bench's API user ({@value #API_USER}) with a token valid for this run: made on first
     * use; later a new token for the same user (its messages in the loaded chats must stay its
     * own, and a token is stored only as its hash). why not a new user each run: a fetch marks
     * the messages of every other author read, so a new API caller would mark the unread rows'
     * data. The new hash goes to MySQL's users row and to Redis's token copy (where the old hash,
     * whose token died with the run that made it, stays until the copy is next made afresh).
     */
    static Authenticator.Issued apiUser(ChatCache cache) throws SQLException {
        Long id = null;
        try (Connection c = setupConnection(cache);
             PreparedStatement q = c.prepareStatement("SELECT MIN(id) FROM users WHERE name = ? AND role = ?")) {
            q.setString(1, API_USER);
            q.setString(2, Role.API.name());
            try (ResultSet rs = q.executeQuery()) {
                if (rs.next() && rs.getObject(1) != null) {
                    id = rs.getLong(1);
                }
            }
        }
        if (id == null) {
            return cache.authenticator().issue(API_USER, Role.API);
        }
        String token = Tokens.newToken();
        String hash = Tokens.hash(token);
        try (Connection c = setupConnection(cache);
             PreparedStatement u = c.prepareStatement("UPDATE users SET token_hash = ? WHERE id = ?")) {
            u.setString(1, hash);
            u.setLong(2, id);
            u.executeUpdate();
        }
        User user = new User(id, API_USER, Role.API);
        new RedisTokens(cache.redis(), cache.groups()).putAll(List.of(new UserToken(user, hash)));
        return new Authenticator.Issued(user, token);
    }

    /**
     * Fails when a chat does not hold the current layout: the common marker's count is fixed by
     * the number of messages, and the API user writes about a quarter of them. why: a chat of
     * this id loaded otherwise (an older layout under a --chat-base that points at it, a users
     * table emptied under it) would give the unread and words rows other data than they describe.
     */
    static void checkLayout(long chatId, long messages, long commonMarkers, long byApiUser, long apiUser) {
        long expected = ChatText.markedAmong(messages, ChatText.COMMON_MARKER);
        double apiShare = (double) byApiUser / Math.max(1, messages);
        double expectedShare = (OLDER_UNREAD_PER_MILLE + NEWER_UNREAD_PER_MILLE) / 2000.0;
        if (commonMarkers != expected || (messages >= 1000 && Math.abs(apiShare - expectedShare) > 0.05)) {
            throw new IllegalStateException(String.format(java.util.Locale.ROOT, "chat %d was not loaded in the bench's"
                            + " current layout: %d messages hold \"%s\" (expected %d) and API user %d wrote %.1f%% of"
                            + " its %d messages (expected ~%.1f%%); delete it or choose another --chat-base", chatId,
                    commonMarkers, ChatText.COMMON_MARKER, expected, apiUser, 100 * apiShare, messages,
                    100 * expectedShare));
        }
    }

    /** Messages of the chat holding every word of {@code text} ({@link Words#of}), counted in {@code message_words}. */
    static long wordMatches(ChatCache cache, long chatId, String text) throws SQLException {
        List<String> words = Words.of(text);
        StringBuilder sql = new StringBuilder("SELECT COUNT(*) FROM message_words w0");
        for (int i = 1; i < words.size(); i++) {
            sql.append(" JOIN message_words w").append(i).append(" ON w").append(i).append(".chat_id = w0.chat_id AND w")
                    .append(i).append(".word = ? AND w").append(i).append(".created_at = w0.created_at AND w").append(i)
                    .append(".message_id = w0.message_id");
        }
        sql.append(" WHERE w0.chat_id = ? AND w0.word = ?");
        try (Connection c = setupConnection(cache);
             PreparedStatement q = c.prepareStatement(sql.toString())) {
            int p = 1;
            for (int i = 1; i < words.size(); i++) {
                q.setString(p++, words.get(i));
            }
            q.setLong(p++, chatId);
            q.setString(p, words.get(0));
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * Unread messages and all messages of the chat strictly between two positions (null: no
     * bound), in MySQL: {unread, all}.
     */
    static long[] unreadBetween(ChatCache cache, long chatId, OrderKey olderThan,
                                OrderKey newerThan) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT COALESCE(SUM(is_read = 0), 0), COUNT(*) FROM messages WHERE chat_id = ?");
        if (olderThan != null) {
            sql.append(" AND (created_at < ? OR (created_at = ? AND id < ?))");
        }
        if (newerThan != null) {
            sql.append(" AND (created_at > ? OR (created_at = ? AND id > ?))");
        }
        try (Connection c = setupConnection(cache);
             PreparedStatement q = c.prepareStatement(sql.toString())) {
            int p = 1;
            q.setLong(p++, chatId);
            for (OrderKey k : java.util.Arrays.asList(olderThan, newerThan)) {
                if (k != null) {
                    q.setLong(p++, k.createdAt());
                    q.setLong(p++, k.createdAt());
                    q.setLong(p++, k.id());
                }
            }
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }
    }

    /** Read marks made equal in both stores, and how many were copied each way. */
    record Reconciled(long unread, long toRedis, long toMysql) {
    }

    /**
     * Makes both stores agree on which of the chat's messages are read, after the bench's own
     * USER reads marked some: waits for the read-mark stream to reach MySQL, then compares the
     * unread counts and, if they differ, copies each store's marks to the other (marks only ever
     * add: the union is right). why: two Redis engines share one MySQL, and a Redis copy made
     * before the other engine's run lacks the marks that run made; routes would then disagree.
     */
    static Reconciled reconcileReadMarks(ChatCache cache, long chatId, long apiUser, PrintStream log)
            throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (Probes.streamLength(cache) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(300); // why: the relay deletes a stream entry after its UPDATE commits
        // what Redis holds of the chat: its window (from its boundary up; issue #23)
        OrderKey held = cache.redisMessages().window(chatId).boundary()
                .map(b -> new OrderKey(b.createdAt(), b.id() - 1)).orElse(null);
        long mysqlUnread = unreadBetween(cache, chatId, null, held)[0];
        // why not on 1.x: its index keeps the read state of each message's last write, not marks
        // (RedisMessages#readIndexed); there the hashes are compared every time
        boolean indexed = cache.redisMessages().readIndexed();
        long redisUnread = indexed ? Probes.redisUnread(cache, chatId) : -1;
        if (mysqlUnread == redisUnread) {
            return new Reconciled(mysqlUnread, 0, 0);
        }
        log.printf("bench: chat %d: %d unread messages in MySQL, %d in Redis; copying the read marks each lacks%n",
                chatId, mysqlUnread, redisUnread);
        Map<Long, Boolean> inMysql = new java.util.LinkedHashMap<>();
        try (Connection c = setupConnection(cache);
             PreparedStatement q = c.prepareStatement("SELECT id, is_read FROM messages WHERE chat_id = ?"
                     + " AND (user_id = ? OR is_read = 0)")) {
            q.setLong(1, chatId);
            q.setLong(2, apiUser);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    inMysql.put(rs.getLong(1), rs.getBoolean(2));
                }
            }
        }
        List<Long> toRedis = new ArrayList<>();
        List<Long> toMysql = new ArrayList<>();
        List<Long> ids = new ArrayList<>(inMysql.keySet());
        for (int i = 0; i < ids.size(); i += BATCH) {
            Map<Long, Message> cached = cache.redisMessages().getAll(chatId, ids.subList(i, Math.min(ids.size(), i + BATCH)));
            for (Message m : cached.values()) {
                boolean readInMysql = inMysql.get(m.id());
                if (readInMysql && !m.read()) {
                    toRedis.add(m.id());
                } else if (!readInMysql && m.read()) {
                    toMysql.add(m.id());
                }
            }
        }
        for (int i = 0; i < toRedis.size(); i += BATCH) {
            cache.redisMessages().copyReadMarks(chatId, toRedis.subList(i, Math.min(toRedis.size(), i + BATCH)));
        }
        try (Connection c = setupConnection(cache);
             PreparedStatement u = c.prepareStatement("UPDATE messages SET is_read = TRUE WHERE id = ?")) {
            for (long id : toMysql) {
                u.setLong(1, id);
                u.addBatch();
            }
            u.executeBatch();
        }
        long unread = unreadBetween(cache, chatId, null, held)[0];
        long stillRedis = indexed ? Probes.redisUnread(cache, chatId) : unread;
        if (unread != stillRedis) {
            throw new IllegalStateException("chat " + chatId + ": " + unread + " unread messages in MySQL but "
                    + stillRedis + " in Redis's index after copying the read marks (the hashes agree, the index does"
                    + " not)");
        }
        return new Reconciled(unread, toRedis.size(), toMysql.size());
    }

    /**
     * Makes the background chats (ids {@link BenchOptions#backgroundChatId}) hold {@code messages}
     * messages each in both stores: counted with one GROUP BY and one pipeline of ZCARDs, the missing
     * ones loaded through the same bulk path, any whose Redis copy differs rebuilt. Returns a summary.
     */
    /**
     * Makes the measured, background and write chats public chats (as migrated chats are: their
     * messages are loaded straight into MySQL) with the writer as a member of the write chat, in
     * both stores: anonymous and USER readers read them, members only post.
     */
    static void openChats(ChatCache cache, BenchOptions o, long writerId) {
        List<Long> ids = new ArrayList<>();
        for (int n : o.sizes()) {
            ids.add(o.chatIdOf(n));
        }
        for (int i = 0; i < o.backgroundChats(); i++) {
            ids.add(o.backgroundChatId(i));
        }
        ids.add(o.writeChatId());
        long now = System.currentTimeMillis();
        ids.forEach(id -> cache.chatStore().adopt(id, now));
        cache.chatStore().addMember(o.writeChatId(), writerId, now);
        cache.chatCopies().copy(ids);
    }

    /** How many chats the unread row's member belongs to (issue #11: "a member of 50 chats"). */
    static final int UNREAD_ROW_CHATS = 50;

    /**
     * Makes {@code member} a member of the measured chats (the latest member row reads them), and
     * {@code unreader} a member of {@value #UNREAD_ROW_CHATS} chats: the measured ones, with their
     * marker half-way down, then background chats (and, when there are too few, empty chats made
     * for it) without a marker. Returns how many chats the unreader belongs to.
     */
    static int joinChats(ChatCache cache, BenchOptions o, long member, long unreader, PrintStream log) throws SQLException {
        long now = System.currentTimeMillis();
        List<Long> ids = new ArrayList<>();
        for (int n : o.sizes()) {
            long chat = o.chatIdOf(n);
            ids.add(chat);
            cache.chatStore().addMember(chat, member, now);
            cache.chatStore().addMember(chat, unreader, now);
            cache.chatStore().moveMarker(chat, unreader, orderKeyOf(cache, anchorAtDepth(cache, chat, n / 2)), now);
        }
        for (int i = 0; ids.size() < UNREAD_ROW_CHATS; i++) {
            long chat = i < o.backgroundChats() ? o.backgroundChatId(i) : o.writeChatId() + 1 + i;
            cache.chatStore().adopt(chat, now);
            cache.chatStore().addMember(chat, unreader, now);
            ids.add(chat);
        }
        cache.chatCopies().copy(ids);
        log.printf("bench: the unread row's member belongs to %d chats (markers half-way in the measured ones)%n", ids.size());
        return ids.size();
    }

    static String prepareBackground(ChatCache cache, BenchOptions o, PrintStream log) throws SQLException {
        int chats = o.backgroundChats();
        int messages = o.backgroundMessages();
        if (chats == 0 || messages == 0) {
            return "no background chats";
        }
        long first = o.backgroundChatId(0);
        long last = o.backgroundChatId(chats - 1);
        java.util.Map<Long, Long> counts = new java.util.HashMap<>();
        try (Connection c = setupConnection(cache);
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
                load(cache, chatId, existing, messages - existing, quiet, authors, null, true);
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
        for (int i = 0; i < chats; i++) {
            long chatId = o.backgroundChatId(i);
            KeySpace keys = cache.groups().of(chatId);
            long held = cache.redis().call(keys.route(), "count a chat's order index", jedis -> OrderIndex.size(jedis, keys.order(chatId)));
            if (held != counts.getOrDefault(chatId, 0L).longValue()) {
                drifted.add(chatId);
            }
        }
        for (long chatId : drifted) {
            cache.rebuild().rebuild(java.util.Optional.of(chatId), (d, t) -> { });
        }
        for (int i = 0; i < chats; i++) {
            cache.cacheState().markChatComplete(o.backgroundChatId(i), Optional.empty());
        }
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        return String.format(java.util.Locale.ROOT, "%,d background chats (%,d messages%s); %s%s", chats, total,
                " in all", missing.isEmpty() ? "reused" : "loaded " + missing.size() + " in "
                        + String.format(java.util.Locale.ROOT, "%.1f s", (System.nanoTime() - t0) / 1e9),
                drifted.isEmpty() ? "" : "; " + drifted.size() + " rebuilt in Redis (differed)");
    }

    /**
     * A connection of the app's pool for the bench's own setup queries, without the app's reply
     * timeout (CHATCACHE_DB_SOCKET_TIMEOUT_MS): counting a chat of 1M messages just after loading
     * it took longer than its 10 s here (InnoDB still merging the load); the pool restores the
     * timeout when the connection returns.
     */
    static Connection setupConnection(ChatCache cache) throws SQLException {
        Connection c = cache.database().dataSource().getConnection();
        try {
            c.setNetworkTimeout(Runnable::run, 0);
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Messages per author in a chat, most first. */
    static java.util.LinkedHashMap<Long, Long> authorCounts(ChatCache cache, long chatId) throws SQLException {
        java.util.LinkedHashMap<Long, Long> out = new java.util.LinkedHashMap<>();
        try (Connection c = setupConnection(cache);
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

    static OrderKey orderKeyOf(ChatCache cache, long messageId) throws SQLException {
        try (Connection c = setupConnection(cache);
             PreparedStatement q = c.prepareStatement("SELECT created_at FROM messages WHERE id = ?")) {
            q.setLong(1, messageId);
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("no message " + messageId);
                }
                return new OrderKey(rs.getLong(1), messageId);
            }
        }
    }

    /** Up to {@code count} ids spread over the chat, newest first, for sampled comparisons. */
    static List<Long> spreadIds(ChatCache cache, long chatId, long authorId, int count, long seed) throws SQLException {
        List<Long> all = new ArrayList<>();
        try (Connection c = setupConnection(cache);
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
        try (Connection c = setupConnection(cache);
             PreparedStatement q = c.prepareStatement("SELECT COUNT(*) FROM messages WHERE chat_id = ?")) {
            q.setLong(1, chatId);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static long newestCreatedAt(ChatCache cache, long chatId) throws SQLException {
        try (Connection c = setupConnection(cache);
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
        try (Connection c = setupConnection(cache);
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
