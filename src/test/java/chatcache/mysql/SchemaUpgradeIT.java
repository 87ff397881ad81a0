package chatcache.mysql;

import chatcache.Config;
import chatcache.query.Words;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Schema migrations on the test database, which each test empties first (every table dropped) and
 * leaves at the current schema: a new database gets V1 and the catch-up; a database of each version
 * before Flyway, made with that version's tables and data, is baselined and caught up to exactly the
 * schema of a new one, its data kept and the data changes it lacked made; a second start does
 * nothing; starts at the same time take turns; a failed catch-up runs again at the next start; a
 * database of another program is refused.
 */
class SchemaUpgradeIT {
    private static final String FIXTURE = "/pre-flyway/mysql.sql";
    private static HikariDataSource db;
    private static Config config;

    /** The versions before Flyway (commits of schema/mysql.sql), each with what the one after it added. */
    enum PreFlyway {
        /** users and messages only. */
        CORE("DROP TABLE cache_outbox"),
        /** cache_outbox. */
        OUTBOX("DROP TABLE message_words", "DROP TABLE chatcache_migrations",
                "ALTER TABLE messages DROP INDEX " + SliceSql.CHAT_READ_ORDER_INDEX),
        /** the read index, message_words (the words of older messages added once), chatcache_migrations. */
        WORDS("DROP TABLE chats", "DROP TABLE chat_members", "ALTER TABLE cache_outbox DROP COLUMN chat_id",
                "ALTER TABLE users DROP INDEX ix_users_revoked", "ALTER TABLE users DROP COLUMN revoked_at"),
        /** revocation, chats and members (older messages' chats adopted once), chat rows in the outbox. */
        CHATS("ALTER TABLE chat_members DROP COLUMN read_at", "ALTER TABLE chat_members DROP COLUMN read_id"),
        /** members' read markers: the last version before Flyway. */
        READ_MARKERS();

        /** What this version lacked of the next one's schema. */
        final List<String> undoNext;

        PreFlyway(String... undoNext) {
            this.undoNext = List.of(undoNext);
        }

        boolean has(PreFlyway version) {
            return compareTo(version) >= 0;
        }
    }

    @BeforeAll
    static void connect() {
        config = Config.fromEnv(System.getenv());
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(config.dbUrl());
        hikari.setUsername(config.dbUser());
        hikari.setPassword(config.dbPassword());
        hikari.setMaximumPoolSize(4);
        db = new HikariDataSource(hikari);
    }

    @AfterAll
    static void disconnect() {
        db.close();
    }

    @BeforeEach
    void emptyTheDatabase() throws SQLException {
        dropEveryTable();
    }

    /** Whatever a test left, the test classes after this one find the current schema. */
    @AfterEach
    void leaveTheCurrentSchema() throws SQLException {
        dropEveryTable();
        SchemaMigrations.migrate(db);
    }

    @Test
    void aNewDatabaseGetsTheBaselineAndTheCatchUpAndASecondStartDoesNothing() throws SQLException {
        assertEquals(new SchemaMigrations.Outcome(false, 5, "5"), SchemaMigrations.migrate(db));
        assertEquals(List.of(
                "1|baseline|SQL|V1__baseline.sql|true",
                "2|catch up a database made before Flyway|JDBC|chatcache.mysql.PreFlywayCatchUp|true",
                "3|idempotency keys|SQL|V3__idempotency_keys.sql|true",
                "4|chat deletions|SQL|V4__chat_deletions.sql|true",
                "5|outbox message chat|SQL|V5__outbox_message_chat.sql|true"), history());
        assertEquals(List.of("cache_outbox", "chat_deletions", "chat_members", "chats", "idempotency_keys", "message_words", "messages",
                        "users"),
                List.copyOf(schema().keySet()));

        Map<String, String> schema = schema();
        List<String> history = history();
        assertEquals(new SchemaMigrations.Outcome(false, 0, "5"), SchemaMigrations.migrate(db));
        assertEquals(history, history());
        assertEquals(schema, schema());
    }

    @ParameterizedTest
    @EnumSource(PreFlyway.class)
    void aDatabaseMadeBeforeFlywayIsBaselinedAndCaughtUpWithItsDataKept(PreFlyway version) throws SQLException {
        Map<String, String> current = currentSchema();
        makePreFlywayDatabase(version);
        Map<String, List<String>> before = rows(version);

        assertEquals(new SchemaMigrations.Outcome(true, 4, "5"), SchemaMigrations.migrate(db));
        assertEquals(current, schema(), "the schema of a new database");
        assertEquals(List.of(
                "1|" + SchemaMigrations.PRE_FLYWAY_DESCRIPTION + "|BASELINE|" + SchemaMigrations.PRE_FLYWAY_DESCRIPTION + "|true",
                "2|catch up a database made before Flyway|JDBC|chatcache.mysql.PreFlywayCatchUp|true",
                "3|idempotency keys|SQL|V3__idempotency_keys.sql|true",
                "4|chat deletions|SQL|V4__chat_deletions.sql|true",
                "5|outbox message chat|SQL|V5__outbox_message_chat.sql|true"), history());

        // the rows it had are kept as they were, new columns empty
        Map<String, List<String>> after = rows(version);
        assertEquals(before.get("users"), after.get("users"));
        assertEquals(before.get("messages"), after.get("messages"));
        if (version.has(PreFlyway.CHATS)) {
            assertEquals(before.get("chat_members"), after.get("chat_members"));
        }
        assertEquals(version.has(PreFlyway.CHATS) ? List.of("1|null", "2|4000") : List.of("1|null", "2|null"),
                select("SELECT id, revoked_at FROM users ORDER BY id"));
        assertEquals(version.has(PreFlyway.READ_MARKERS) ? List.of("7|1|null|null", "7|2|3000|9")
                        : version.has(PreFlyway.CHATS) ? List.of("7|1|null|null", "7|2|null|null") : List.of(),
                select("SELECT chat_id, user_id, read_at, read_id FROM chat_members ORDER BY chat_id, user_id"));
        // the data changes it lacked are made, those it recorded done are not made again
        assertEquals(version.has(PreFlyway.WORDS) ? wordsOfAllBut(MESSAGE_WITHOUT_WORDS) : wordsOfAllBut(0), after.get("message_words"));
        assertEquals(version.has(PreFlyway.CHATS) ? before.get("chats") : adoptedChats(), after.get("chats"));

        Map<String, String> schema = schema();
        List<String> history = history();
        assertEquals(new SchemaMigrations.Outcome(false, 0, "5"), SchemaMigrations.migrate(db));
        assertEquals(history, history());
        assertEquals(schema, schema());
        assertEquals(after, rows(version));
    }

    @Test
    void serversStartingTogetherOnANewDatabaseMigrateItOnce() throws Exception {
        List<SchemaMigrations.Outcome> outcomes = startTogether(3);
        assertEquals(1, outcomes.stream().filter(o -> o.applied() == 5).count(), outcomes.toString());
        assertEquals(2, outcomes.stream().filter(o -> o.applied() == 0).count(), outcomes.toString());
        assertEquals(List.of("1|SQL", "2|JDBC", "3|SQL", "4|SQL", "5|SQL"), history("version, type"));
    }

    @Test
    void serversStartingTogetherOnADatabaseMadeBeforeFlywayBaselineAndCatchItUpOnce() throws Exception {
        makePreFlywayDatabase(PreFlyway.CORE);
        List<SchemaMigrations.Outcome> outcomes = startTogether(3);
        assertEquals(List.of(new SchemaMigrations.Outcome(true, 4, "5")),
                outcomes.stream().filter(SchemaMigrations.Outcome::baselined).toList(), outcomes.toString());
        assertEquals(List.of("1|BASELINE", "2|JDBC", "3|SQL", "4|SQL", "5|SQL"), history("version, type"));
        assertEquals(wordsOfAllBut(0), rows(PreFlyway.CORE).get("message_words"));
    }

    @Test
    void aStartWaitsWhileAnotherServerHoldsTheSchemaLock() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<SchemaMigrations.Outcome> start;
            try (SchemaLock held = SchemaLock.take(db)) {
                start = pool.submit(() -> SchemaMigrations.migrate(db));
                awaitSessionWaitingForAUserLock();
                assertEquals(List.of(), List.copyOf(schema().keySet()), "nothing done while the lock is held");
                assertFalse(start.isDone());
            }
            assertEquals(new SchemaMigrations.Outcome(false, 5, "5"), start.get(60, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aCatchUpThatFailedRunsAgainAtTheNextStart() throws SQLException {
        makePreFlywayDatabase(PreFlyway.WORDS);
        // a chats table the adoption of older messages' chats cannot write to
        execute("CREATE TABLE chats (id BIGINT NOT NULL, PRIMARY KEY (id))");
        IllegalStateException failed = assertThrows(IllegalStateException.class, () -> SchemaMigrations.migrate(db));
        assertTrue(failed.getMessage().contains("title") || String.valueOf(failed.getCause()).contains("title"), failed.toString());
        assertEquals(List.of("1|BASELINE|1", "2|JDBC|0"), history("version, type, success"));

        execute("DROP TABLE chats"); // what an operator would mend
        assertEquals(new SchemaMigrations.Outcome(false, 4, "5"), SchemaMigrations.migrate(db));
        assertEquals(List.of("1|BASELINE|1", "2|JDBC|1", "3|SQL|1", "4|SQL|1", "5|SQL|1"), history("version, type, success"));
        assertEquals(adoptedChats(), rows(PreFlyway.WORDS).get("chats"));
    }

    @Test
    void aDatabaseOfAnotherProgramIsRefusedAndLeftAlone() throws SQLException {
        execute("CREATE TABLE invoices (id BIGINT NOT NULL, PRIMARY KEY (id))");
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> SchemaMigrations.migrate(db));
        assertTrue(refused.getMessage().contains("[invoices] but none of chatcache's"), refused.getMessage());
        assertEquals(List.of("invoices"), List.copyOf(schema().keySet()));
        assertFalse(tableExists(SchemaMigrations.HISTORY_TABLE));
    }

    // ------------------------------------------------------------ databases before Flyway

    /** A message whose words a version that had message_words lost after its backfill (deleted by hand). */
    private static final long MESSAGE_WITHOUT_WORDS = 3;
    private static final Object[][] MESSAGES = {
            // id, chat, user, text, created_at
            {1L, 5L, 1L, "Привет мир", 1_000L},
            {2L, 5L, 2L, "café au lait", 2_000L},
            {3L, 6L, 1L, "東京タワー", 1_500L},
            {4L, 5L, 1L, "don't e-mail", 2_000L},
    };

    /** What the catch-up makes of the chats older messages name: public chats owned by no one. */
    private static List<String> adoptedChats() {
        return List.of("5|chat 5|public|null|1000|1", "6|chat 6|public|null|1500|1");
    }

    private static List<String> wordsOfAllBut(long messageId) {
        List<String> rows = new ArrayList<>();
        for (Object[] m : MESSAGES) {
            if ((long) m[0] != messageId) {
                for (String word : Words.of((String) m[3])) {
                    rows.add(m[1] + "|" + word + "|" + m[4] + "|" + m[0]);
                }
            }
        }
        rows.sort(null);
        return rows;
    }

    /** The tables of that version, made as it made them at its first start, and the rows it would hold. */
    private static void makePreFlywayDatabase(PreFlyway version) throws SQLException {
        for (String sql : PreFlywayCatchUp.statements(FIXTURE)) {
            execute(sql);
        }
        PreFlyway[] versions = PreFlyway.values();
        for (int i = versions.length - 1; i > version.ordinal(); i--) {
            for (String sql : versions[i - 1].undoNext) {
                execute(sql);
            }
        }
        execute("INSERT INTO users (id, name, role, token_hash) VALUES (1, 'alice', 'USER', '" + "a".repeat(64)
                + "'), (2, 'bob', 'API', '" + "b".repeat(64) + "')");
        for (Object[] m : MESSAGES) {
            execute("INSERT INTO messages (id, chat_id, user_id, message, created_at, data, is_read) VALUES ("
                    + m[0] + ", " + m[1] + ", " + m[2] + ", '" + ((String) m[3]).replace("'", "''") + "', " + m[4]
                    + ", '{\"n\":" + m[0] + "}', " + (m[0].equals(2L) ? 1 : 0) + ")");
        }
        if (version.has(PreFlyway.WORDS)) {
            for (String row : wordsOfAllBut(MESSAGE_WITHOUT_WORDS)) {
                String[] f = row.split("\\|");
                execute("INSERT INTO message_words (chat_id, word, created_at, message_id) VALUES ("
                        + f[0] + ", '" + f[1] + "', " + f[2] + ", " + f[3] + ")");
            }
            execute("INSERT INTO chatcache_migrations (name, done_at) VALUES ('" + PreFlywayCatchUp.WORDS_DONE + "', 1)");
        }
        if (version.has(PreFlyway.CHATS)) {
            // chat 6, adopted at that version's first start, was removed by hand since: the adoption is
            // recorded done, so it stays removed
            execute("INSERT INTO chats (id, title, visibility, owner_id, created_at, version) VALUES"
                    + " (5, 'chat 5', 'public', NULL, 1000, 1), (7, 'Plans', 'private', 1, 3000, 3)");
            execute("INSERT INTO chat_members (chat_id, user_id, role) VALUES (7, 1, 'owner'), (7, 2, 'member')");
            execute("UPDATE users SET revoked_at = 4000 WHERE id = 2");
            execute("INSERT INTO chatcache_migrations (name, done_at) VALUES ('" + PreFlywayCatchUp.CHATS_DONE + "', 1)");
        }
        if (version.has(PreFlyway.READ_MARKERS)) {
            execute("UPDATE chat_members SET read_at = 3000, read_id = 9 WHERE user_id = 2");
        }
    }

    /** Each table's rows as text, in key order (message_words and chats whatever the version has). */
    private static Map<String, List<String>> rows(PreFlyway version) throws SQLException {
        Map<String, List<String>> rows = new TreeMap<>();
        rows.put("users", select("SELECT id, name, role, token_hash FROM users ORDER BY id"));
        rows.put("messages", select("SELECT * FROM messages ORDER BY id"));
        if (tableExists("message_words")) {
            rows.put("message_words", select("SELECT chat_id, word, created_at, message_id FROM message_words"
                    + " ORDER BY CONCAT(chat_id, '|', word, '|', created_at, '|', message_id)"));
        }
        if (tableExists("chats")) {
            rows.put("chats", select("SELECT id, title, visibility, owner_id, created_at, version FROM chats ORDER BY id"));
            rows.put("chat_members", select("SELECT chat_id, user_id, role FROM chat_members ORDER BY chat_id, user_id"));
        }
        return rows;
    }

    // ------------------------------------------------------------ starts

    /** That many servers started at one moment, each with a pool of its own, as Database.open starts them. */
    private static List<SchemaMigrations.Outcome> startTogether(int servers) throws Exception {
        CyclicBarrier together = new CyclicBarrier(servers);
        ExecutorService pool = Executors.newFixedThreadPool(servers);
        try {
            List<Future<SchemaMigrations.Outcome>> starts = new ArrayList<>();
            for (int i = 0; i < servers; i++) {
                Callable<SchemaMigrations.Outcome> start = () -> {
                    try (HikariDataSource own = new HikariDataSource(copyOf(db))) {
                        own.getConnection().close();
                        together.await(30, TimeUnit.SECONDS);
                        return SchemaMigrations.migrate(own);
                    }
                };
                starts.add(pool.submit(start));
            }
            List<SchemaMigrations.Outcome> outcomes = new ArrayList<>();
            for (Future<SchemaMigrations.Outcome> s : starts) {
                outcomes.add(s.get(120, TimeUnit.SECONDS));
            }
            return outcomes;
        } finally {
            pool.shutdownNow();
        }
    }

    private static HikariConfig copyOf(HikariDataSource source) {
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(source.getJdbcUrl());
        hikari.setUsername(source.getUsername());
        hikari.setPassword(source.getPassword());
        hikari.setMaximumPoolSize(4);
        return hikari;
    }

    /** Polls the server's process list until a session waits in GET_LOCK. */
    private static void awaitSessionWaitingForAUserLock() throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (select("SELECT id FROM information_schema.processlist WHERE state = 'User lock'").isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "no session waited for the schema lock within 30 s");
            Thread.sleep(20);
        }
    }

    // ------------------------------------------------------------ the database

    /** The current schema: what a new database gets, each table's SHOW CREATE TABLE. */
    private static Map<String, String> currentSchema() throws SQLException {
        SchemaMigrations.migrate(db);
        Map<String, String> schema = schema();
        dropEveryTable();
        return schema;
    }

    /** Each table's SHOW CREATE TABLE (its AUTO_INCREMENT counter left out), but Flyway's history. */
    private static Map<String, String> schema() throws SQLException {
        Map<String, String> schema = new TreeMap<>();
        for (String table : select("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()")) {
            if (!table.equals(SchemaMigrations.HISTORY_TABLE)) {
                String create = select("SHOW CREATE TABLE `" + table + "`").get(0);
                schema.put(table, create.replaceAll(" AUTO_INCREMENT=\\d+", ""));
            }
        }
        return schema;
    }

    /** Flyway's history: version|description|type|script|success, in the order applied. */
    private static List<String> history() throws SQLException {
        return history("version, description, type, script, IF(success, 'true', 'false')");
    }

    private static List<String> history(String columns) throws SQLException {
        return select("SELECT " + columns + " FROM " + SchemaMigrations.HISTORY_TABLE + " ORDER BY installed_rank");
    }

    private static boolean tableExists(String table) throws SQLException {
        return !select("SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '" + table + "'").isEmpty();
    }

    private static void dropEveryTable() throws SQLException {
        for (String table : select("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()")) {
            execute("DROP TABLE `" + table + "`");
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Each row's columns joined by '|' (SHOW CREATE TABLE: the statement alone). */
    private static List<String> select(String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData meta = rs.getMetaData();
            boolean showCreate = sql.startsWith("SHOW CREATE TABLE");
            while (rs.next()) {
                if (showCreate) {
                    rows.add(rs.getString(2));
                    continue;
                }
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    row.append(i == 1 ? "" : "|").append(rs.getString(i));
                }
                rows.add(row.toString());
            }
        }
        return rows;
    }
}
