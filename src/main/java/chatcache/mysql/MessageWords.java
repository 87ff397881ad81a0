package chatcache.mysql;

import chatcache.core.Message;
import chatcache.query.Words;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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
     * Of these messages, those that lack a row for one of their words: each row is looked up by
     * its whole primary key (row-constructor IN, a range read per row), 250 rows a statement.
     */
    static Set<Long> missing(Connection c, List<Message> messages) throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        java.util.Map<Long, Integer> expected = new java.util.HashMap<>();
        for (Message m : messages) {
            List<String> words = Words.of(m.text());
            expected.put(m.id(), words.size());
            for (String w : words) {
                rows.add(new Object[] {m.chatId(), w, m.createdAt(), m.id()});
            }
        }
        java.util.Map<Long, Integer> found = new java.util.HashMap<>();
        for (int from = 0; from < rows.size(); from += 250) {
            List<Object[]> chunk = rows.subList(from, Math.min(rows.size(), from + 250));
            String tuples = String.join(", ", java.util.Collections.nCopies(chunk.size(), "(?, ?, ?, ?)"));
            try (PreparedStatement q = c.prepareStatement("SELECT message_id FROM message_words"
                    + " WHERE (chat_id, word, created_at, message_id) IN (" + tuples + ")")) {
                int i = 1;
                for (Object[] row : chunk) {
                    q.setLong(i++, (Long) row[0]);
                    q.setString(i++, (String) row[1]);
                    q.setLong(i++, (Long) row[2]);
                    q.setLong(i++, (Long) row[3]);
                }
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        found.merge(rs.getLong(1), 1, Integer::sum);
                    }
                }
            }
        }
        Set<Long> missing = new HashSet<>();
        expected.forEach((id, n) -> {
            if (found.getOrDefault(id, 0) < n) {
                missing.add(id);
            }
        });
        return missing;
    }

    /**
     * Makes the chat's word rows exactly its messages' words, in transactions of a thousand rows
     * (or messages) each, every one locking the message rows it judges by (so that an edit waits
     * and then replaces the words as usual): adds the rows missing for each message, then walks
     * the chat's rows in key order and deletes those whose message is gone, elsewhere or no longer
     * holds the word. Returns the rows added and deleted.
     */
    static long mend(Connection c, long chatId) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        long changed = 0;
        try {
            try (PreparedStatement select = c.prepareStatement("SELECT id, chat_id, user_id, message, created_at"
                    + " FROM messages WHERE chat_id = ? AND id > ? ORDER BY id LIMIT 1000 FOR UPDATE")) {
                long after = 0;
                while (true) {
                    select.setLong(1, chatId);
                    select.setLong(2, after);
                    List<Message> batch = rows(select);
                    if (batch.isEmpty()) {
                        break;
                    }
                    Set<Long> lacking = missing(c, batch);
                    List<Message> toAdd = batch.stream().filter(m -> lacking.contains(m.id())).toList();
                    for (Message m : toAdd) {
                        changed += Words.of(m.text()).size();
                    }
                    insert(c, toAdd);
                    c.commit();
                    after = batch.get(batch.size() - 1).id();
                }
            }
            try (PreparedStatement page = c.prepareStatement("SELECT word, created_at, message_id FROM message_words"
                    // why spelled out: the range optimizer reads the key range only from this form
                    + " WHERE chat_id = ? AND (word > ? OR (word = ? AND (created_at > ? OR (created_at = ? AND message_id > ?))))"
                    + " ORDER BY word, created_at, message_id LIMIT 1000")) {
                String word = "";
                long createdAt = Long.MIN_VALUE;
                long messageId = Long.MIN_VALUE;
                while (true) {
                    page.setLong(1, chatId);
                    page.setString(2, word);
                    page.setString(3, word);
                    page.setLong(4, createdAt);
                    page.setLong(5, createdAt);
                    page.setLong(6, messageId);
                    List<Object[]> found = new ArrayList<>();
                    try (ResultSet rs = page.executeQuery()) {
                        while (rs.next()) {
                            found.add(new Object[] {rs.getString(1), rs.getLong(2), rs.getLong(3)});
                        }
                    }
                    if (found.isEmpty()) {
                        break;
                    }
                    java.util.Map<Long, Message> messages = lockedMessages(c, found.stream().map(r -> (Long) r[2]).distinct().toList());
                    for (Object[] r : found) {
                        Message m = messages.get((Long) r[2]);
                        if (m == null || m.chatId() != chatId || m.createdAt() != (Long) r[1] || !Words.of(m.text()).contains((String) r[0])) {
                            run(c, DELETE, new Message((Long) r[2], chatId, 0, "", (Long) r[1], null, false), List.of((String) r[0]));
                            changed++;
                        }
                    }
                    c.commit();
                    Object[] last = found.get(found.size() - 1);
                    word = (String) last[0];
                    createdAt = (Long) last[1];
                    messageId = (Long) last[2];
                }
            }
            return changed;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    private static java.util.Map<Long, Message> lockedMessages(Connection c, List<Long> ids) throws SQLException {
        String marks = String.join(",", java.util.Collections.nCopies(ids.size(), "?"));
        try (PreparedStatement q = c.prepareStatement("SELECT id, chat_id, user_id, message, created_at FROM messages"
                + " WHERE id IN (" + marks + ") FOR UPDATE")) {
            for (int i = 0; i < ids.size(); i++) {
                q.setLong(i + 1, ids.get(i));
            }
            java.util.Map<Long, Message> out = new java.util.HashMap<>();
            rows(q).forEach(m -> out.put(m.id(), m));
            return out;
        }
    }

    private static List<Message> rows(PreparedStatement select) throws SQLException {
        List<Message> batch = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                batch.add(new Message(rows.getLong(1), rows.getLong(2), rows.getLong(3), rows.getString(4),
                        rows.getLong(5), null, false));
            }
        }
        return batch;
    }

    /**
     * The words of messages written before this table existed (a database of an older version:
     * {@link PreFlywayCatchUp}), in batches of a thousand messages, each batch locking its rows (an
     * edit of one waits, and then replaces the words this wrote). A run that dies half-way can run
     * again: rows already there are kept (INSERT IGNORE).
     */
    static void backfill(Connection c, LongConsumer progress) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (PreparedStatement select = c.prepareStatement(
                "SELECT id, chat_id, user_id, message, created_at FROM messages WHERE id > ? ORDER BY id LIMIT 1000 FOR UPDATE")) {
            long after = 0;
            long total = 0;
            while (true) {
                select.setLong(1, after);
                List<Message> batch = rows(select);
                insert(c, batch);
                c.commit();
                if (batch.isEmpty()) {
                    break;
                }
                after = batch.get(batch.size() - 1).id();
                total += batch.size();
                progress.accept(total);
            }
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }
}
