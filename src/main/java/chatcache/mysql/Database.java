package chatcache.mysql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.hibernate.SessionFactory;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.cfg.Configuration;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** The MySQL connection pool, the schema and the Hibernate session factory. */
public final class Database implements AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Database.class);
    private static final String SCHEMA_RESOURCE = "/schema/mysql.sql";

    private final HikariDataSource dataSource;
    private final SessionFactory sessionFactory;

    private Database(HikariDataSource dataSource, SessionFactory sessionFactory) {
        this.dataSource = dataSource;
        this.sessionFactory = sessionFactory;
    }

    /** Connects, applies schema/mysql.sql (idempotent) and builds Hibernate. */
    public static Database open(String jdbcUrl, String user, String password) {
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(jdbcUrl);
        hikari.setUsername(user);
        hikari.setPassword(password);
        hikari.setPoolName("chatcache-mysql");
        hikari.setMaximumPoolSize(16);
        // why: with MySQL down, a write should fail in about two seconds (503), not hang
        hikari.setConnectionTimeout(2_000);
        hikari.addDataSourceProperty("connectTimeout", "2000");
        hikari.addDataSourceProperty("socketTimeout", "10000");
        // why: MySQL path read marks are small bulk UPDATEs; batching the driver's statements helps writes
        hikari.addDataSourceProperty("rewriteBatchedStatements", "true");
        hikari.addDataSourceProperty("cachePrepStmts", "true");
        hikari.addDataSourceProperty("useServerPrepStmts", "true");
        hikari.addDataSourceProperty("characterEncoding", "UTF-8");
        // fail fast at start, naming the database, rather than at the first request
        hikari.setInitializationFailTimeout(10_000);
        HikariDataSource ds = new HikariDataSource(hikari);
        try {
            applySchema(ds);
            return new Database(ds, buildSessionFactory(ds));
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
    }

    private static SessionFactory buildSessionFactory(HikariDataSource ds) {
        Configuration cfg = new Configuration()
                .addAnnotatedClass(MessageEntity.class)
                .addAnnotatedClass(UserEntity.class);
        StandardServiceRegistryBuilder registry = new StandardServiceRegistryBuilder()
                .applySetting(AvailableSettings.JAKARTA_NON_JTA_DATASOURCE, ds)
                // why: the same generic MySQL dialect for MySQL 8 and MariaDB 10.11; we use only
                // plain SELECT/INSERT/UPDATE, and must not depend on the server's self-description
                .applySetting(AvailableSettings.DIALECT, CommonMySqlDialect.class.getName())
                // why: MariaDB introduces itself to Connector/J as "5.5.5-10.11..."; what we use is
                // the common MySQL 8 subset, so name that version instead of Hibernate guessing 5.5
                .applySetting(AvailableSettings.JAKARTA_HBM2DDL_DB_MAJOR_VERSION, "8")
                .applySetting(AvailableSettings.JAKARTA_HBM2DDL_DB_MINOR_VERSION, "0")
                .applySetting(AvailableSettings.HBM2DDL_AUTO, "none")
                .applySetting(AvailableSettings.SHOW_SQL, "false")
                .applySetting(AvailableSettings.STATEMENT_BATCH_SIZE, "50");
        return cfg.buildSessionFactory(registry.build());
    }

    /** {@code ALTER TABLE t ADD INDEX name ...}: MySQL 8.4 has no ADD INDEX IF NOT EXISTS. */
    private static final java.util.regex.Pattern ADD_INDEX =
            java.util.regex.Pattern.compile("(?is)ALTER TABLE (\\w+) ADD INDEX (\\w+) .*");
    /** {@code ALTER TABLE t ADD COLUMN name ...}: nor ADD COLUMN IF NOT EXISTS. */
    private static final java.util.regex.Pattern ADD_COLUMN =
            java.util.regex.Pattern.compile("(?is)ALTER TABLE (\\w+) ADD COLUMN (\\w+) .*");

    static void applySchema(HikariDataSource ds) {
        List<String> statements = schemaStatements();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                java.util.regex.Matcher addIndex = ADD_INDEX.matcher(sql);
                if (addIndex.matches() && hasIndex(c, addIndex.group(1), addIndex.group(2))) {
                    continue;
                }
                java.util.regex.Matcher addColumn = ADD_COLUMN.matcher(sql);
                if (addColumn.matches() && hasColumn(c, addColumn.group(1), addColumn.group(2))) {
                    continue;
                }
                s.execute(sql);
            }
            MessageWords.backfill(c, done -> {
                if (done % 100_000 == 0) {
                    log.info("indexing the words of older messages: {} done", done);
                }
            });
            long adopted = MySqlChats.adoptChatsOfMessages(c);
            if (adopted > 0) {
                log.info("{} chats named by older messages are now public chats owned by no one", adopted);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("applying " + SCHEMA_RESOURCE + " failed: " + e.getMessage(), e);
        }
    }

    private static boolean hasIndex(Connection c, String table, String index) throws SQLException {
        return exists(c, "SELECT 1 FROM information_schema.statistics"
                + " WHERE table_schema = DATABASE() AND table_name = ? AND index_name = ?", table, index);
    }

    private static boolean hasColumn(Connection c, String table, String column) throws SQLException {
        return exists(c, "SELECT 1 FROM information_schema.columns"
                + " WHERE table_schema = DATABASE() AND table_name = ? AND column_name = ?", table, column);
    }

    private static boolean exists(Connection c, String sql, String table, String name) throws SQLException {
        try (java.sql.PreparedStatement q = c.prepareStatement(sql)) {
            q.setString(1, table);
            q.setString(2, name);
            try (java.sql.ResultSet rs = q.executeQuery()) {
                return rs.next();
            }
        }
    }

    static List<String> schemaStatements() {
        String text;
        try (InputStream in = Database.class.getResourceAsStream(SCHEMA_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(SCHEMA_RESOURCE + " is missing from the classpath");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + SCHEMA_RESOURCE, e);
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

    public SessionFactory sessionFactory() {
        return sessionFactory;
    }

    public HikariDataSource dataSource() {
        return dataSource;
    }

    /** True when MySQL answers a trivial query. */
    public boolean isUp() {
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        sessionFactory.close();
        dataSource.close();
    }
}
