package chatcache.mysql;

import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Migration 2: brings a database made before Flyway to exactly the tables of V1__baseline.sql, from
 * whichever earlier shape it has. Those versions applied an idempotent script at every start, so a
 * database may stop at any of its steps: each table of the baseline is created if it is missing,
 * each column and index they added later is added if it is missing, and the data changes they made
 * once at a start are made unless their table {@code chatcache_migrations} records them done (the
 * words of older messages; chats for the chat ids older messages name). Then that table is dropped:
 * Flyway's history keeps that record now.
 *
 * <p>Such a database is baselined at version 1 ({@link SchemaMigrations}), so this is the first
 * migration it runs. A new database runs it right after V1 and finds everything in place. Every step
 * is idempotent, so a run that failed half-way is simply run again.
 */
final class PreFlywayCatchUp implements JavaMigration {
    static final MigrationVersion VERSION = MigrationVersion.fromVersion("2");
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(PreFlywayCatchUp.class);
    private static final String BASELINE = "/schema/mysql/V1__baseline.sql";
    private static final String CREATE_TABLE = "CREATE TABLE ";
    /** Names under which those versions recorded a data change done, in chatcache_migrations. */
    static final String WORDS_DONE = "message_words";
    static final String CHATS_DONE = "chats-from-messages";

    /** A column or index that a version before Flyway added to a table an earlier one had made. */
    private record Addition(String table, String name, boolean index, String sql) {
        boolean present(Connection c) throws SQLException {
            String sql = index
                    ? "SELECT 1 FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ? AND index_name = ?"
                    : "SELECT 1 FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? AND column_name = ?";
            try (PreparedStatement q = c.prepareStatement(sql)) {
                q.setString(1, table);
                q.setString(2, name);
                try (ResultSet rs = q.executeQuery()) {
                    return rs.next();
                }
            }
        }
    }

    // why these: MySQL 8.4 has no ADD COLUMN / ADD INDEX IF NOT EXISTS; in the order they were added
    private static final List<Addition> ADDITIONS = List.of(
            new Addition("users", "revoked_at", false, "ALTER TABLE users ADD COLUMN revoked_at BIGINT NULL"),
            new Addition("users", "ix_users_revoked", true, "ALTER TABLE users ADD INDEX ix_users_revoked (revoked_at)"),
            new Addition("messages", SliceSql.CHAT_READ_ORDER_INDEX, true, "ALTER TABLE messages ADD INDEX "
                    + SliceSql.CHAT_READ_ORDER_INDEX + " (chat_id, is_read, created_at, id)"),
            new Addition("chat_members", "read_at", false, "ALTER TABLE chat_members ADD COLUMN read_at BIGINT NULL"),
            new Addition("chat_members", "read_id", false, "ALTER TABLE chat_members ADD COLUMN read_id BIGINT NULL"),
            new Addition("cache_outbox", "chat_id", false, "ALTER TABLE cache_outbox ADD COLUMN chat_id BIGINT NULL"));

    @Override
    public MigrationVersion getVersion() {
        return VERSION;
    }

    @Override
    public String getDescription() {
        return "catch up a database made before Flyway";
    }

    @Override
    public Integer getChecksum() {
        return null;
    }

    /** No: DDL commits on its own in MySQL, and the words are written in batches of their own. */
    @Override
    public boolean canExecuteInTransaction() {
        return false;
    }

    @Override
    public void migrate(Context context) throws SQLException {
        Connection c = context.getConnection();
        try (Statement s = c.createStatement()) {
            for (String create : baselineTables()) {
                s.execute(CREATE_TABLE + "IF NOT EXISTS " + create.substring(CREATE_TABLE.length()));
            }
            for (Addition a : ADDITIONS) {
                if (!a.present(c)) {
                    log.info("adding {} {}.{}", a.index() ? "index" : "column", a.table(), a.name());
                    s.execute(a.sql());
                }
            }
            Set<String> done = dataChangesDone(c);
            if (!done.contains(WORDS_DONE)) {
                MessageWords.backfill(c, total -> {
                    if (total % 100_000 == 0) {
                        log.info("indexing the words of older messages: {} done", total);
                    }
                });
            }
            if (!done.contains(CHATS_DONE)) {
                long adopted = adoptChatsOfMessages(c);
                if (adopted > 0) {
                    log.info("{} chats named by older messages are now public chats owned by no one", adopted);
                }
            }
            s.execute("DROP TABLE IF EXISTS chatcache_migrations");
        }
    }

    /** The names in chatcache_migrations, none where the table does not exist (it came with the words). */
    private static Set<String> dataChangesDone(Connection c) throws SQLException {
        Set<String> done = new HashSet<>();
        try (Statement s = c.createStatement();
             ResultSet table = s.executeQuery("SELECT 1 FROM information_schema.tables"
                     + " WHERE table_schema = DATABASE() AND table_name = 'chatcache_migrations'")) {
            if (!table.next()) {
                return done;
            }
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT name FROM chatcache_migrations")) {
            while (rs.next()) {
                done.add(rs.getString(1));
            }
        }
        return done;
    }

    /**
     * Every chat that messages name but the chats table lacks (messages stored before chats existed)
     * becomes a public chat owned by no one, titled "chat N". Returns how many.
     */
    private static long adoptChatsOfMessages(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            // why GROUP BY over the (chat_id, created_at, id) index: one step per chat, not per message
            return s.executeUpdate("INSERT IGNORE INTO chats (id, title, visibility, owner_id, created_at, version)"
                    + " SELECT chat_id, CONCAT('chat ', chat_id), 'public', NULL, MIN(created_at), 1"
                    + " FROM messages GROUP BY chat_id");
        }
    }

    /** The CREATE TABLE statements of V1__baseline.sql, which holds nothing else. */
    static List<String> baselineTables() {
        List<String> statements = statements(BASELINE);
        for (String sql : statements) {
            if (!sql.startsWith(CREATE_TABLE)) {
                throw new IllegalStateException(BASELINE + " may hold CREATE TABLE statements only: " + sql);
            }
        }
        return statements;
    }

    /** The statements of a script whose statements end with a semicolon at the end of a line, comments left out. */
    static List<String> statements(String resource) {
        String text;
        try (InputStream in = PreFlywayCatchUp.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the classpath");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.startsWith("--") || trimmed.isEmpty()) {
                continue;
            }
            current.append(line).append('\n');
            if (trimmed.endsWith(";")) {
                String sql = current.toString().strip();
                statements.add(sql.substring(0, sql.length() - 1));
                current.setLength(0);
            }
        }
        return statements;
    }
}
