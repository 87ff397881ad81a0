package chatcache.mysql;

import chatcache.message.Message;
import chatcache.query.Words;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * The table {@code message_words}: one row per word ({@link Words#of}) of each message, written
 * with the message in the caller's transaction, so that the {@code text} filter sees exactly the
 * words Redis indexes from the same text.
 */
public final class MessageWords {
    private static final String INSERT =
            "INSERT IGNORE INTO message_words (chat_id, word, created_at, message_id) VALUES (?, ?, ?, ?)";
    private static final String DELETE =
            "DELETE FROM message_words WHERE chat_id = ? AND word = ? AND created_at = ? AND message_id = ?";
    static final String BACKFILL = "message_words";

    private MessageWords() {
    }

    /** Adds the words of these messages. */
    public static void insert(Connection c, List<Message> messages) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(INSERT)) {
            int batched = 0;
            for (Message m : messages) {
                for (String word : Words.of(m.text())) {
                    bind(insert, m, word);
                    insert.addBatch();
                    if (++batched % 1_000 == 0) {
                        insert.executeBatch();
                    }
                }
            }
            if (batched % 1_000 != 0) {
                insert.executeBatch();
            }
        }
    }

    /** Replaces the words of {@code before}'s text with those of {@code after}'s (same message). */
    static void replace(Connection c, Message before, Message after) throws SQLException {
        List<String> old = Words.of(before.text());
        List<String> now = Words.of(after.text());
        Set<String> gone = new HashSet<>(old);
        now.forEach(gone::remove);
        Set<String> added = new HashSet<>(now);
        old.forEach(added::remove);
        run(c, DELETE, before, gone);
        run(c, INSERT, after, added);
    }

    /** Removes the words of a deleted message. */
    static void delete(Connection c, Message m) throws SQLException {
        run(c, DELETE, m, Words.of(m.text()));
    }

    private static void run(Connection c, String sql, Message m, java.util.Collection<String> words) throws SQLException {
        if (words.isEmpty()) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (String word : words) {
                bind(s, m, word);
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    private static void bind(PreparedStatement s, Message m, String word) throws SQLException {
        s.setLong(1, m.chatId());
        s.setString(2, word);
        s.setLong(3, m.createdAt());
        s.setLong(4, m.id());
    }

    /**
     * Once per database: the words of messages written before this table existed, in batches of
     * a thousand messages, each batch locking its rows (an edit of one waits, and then replaces
     * the words this wrote). Recorded in {@code chatcache_migrations} when done; a start that
     * dies half-way does it again (INSERT IGNORE).
     */
    static void backfill(Connection c, LongConsumer progress) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet done = s.executeQuery("SELECT 1 FROM chatcache_migrations WHERE name = '" + BACKFILL + "'")) {
            if (done.next()) {
                return;
            }
        }
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (PreparedStatement select = c.prepareStatement(
                "SELECT id, chat_id, user_id, message, created_at FROM messages WHERE id > ? ORDER BY id LIMIT 1000 FOR UPDATE")) {
            long after = 0;
            long total = 0;
            while (true) {
                select.setLong(1, after);
                List<Message> batch = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        batch.add(new Message(rows.getLong(1), rows.getLong(2), rows.getLong(3), rows.getString(4),
                                rows.getLong(5), null, false));
                    }
                }
                insert(c, batch);
                c.commit();
                if (batch.isEmpty()) {
                    break;
                }
                after = batch.get(batch.size() - 1).id();
                total += batch.size();
                progress.accept(total);
            }
            try (PreparedStatement mark = c.prepareStatement(
                    "INSERT IGNORE INTO chatcache_migrations (name, done_at) VALUES (?, ?)")) {
                mark.setString(1, BACKFILL);
                mark.setLong(2, System.currentTimeMillis());
                mark.executeUpdate();
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }
}
