package chatcache.mysql;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Brings the database's schema to this version with Flyway, at every start, before anything else
 * uses it: the SQL migrations of {@code schema/mysql} (V1__baseline.sql, then V2.. in order) and
 * the Java migrations listed here. A database made before Flyway (chatcache's tables, no history
 * table) is first baselined at version 1 and caught up by {@link PreFlywayCatchUp} (README,
 * "Schema migrations").
 */
final class SchemaMigrations {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SchemaMigrations.class);
    static final String LOCATION = "classpath:schema/mysql";
    static final String HISTORY_TABLE = "flyway_schema_history";
    static final String PRE_FLYWAY_DESCRIPTION = "made before Flyway";
    /** The tables versions before Flyway made: one of them and no history table is such a database. */
    private static final Set<String> PRE_FLYWAY_TABLES = Set.of(
            "users", "messages", "message_words", "chatcache_migrations", "chats", "chat_members", "cache_outbox");

    private SchemaMigrations() {
    }

    /** What a start did: whether it baselined a database made before Flyway, how many migrations it applied, the version now. */
    record Outcome(boolean baselined, int applied, String version) {
    }

    static Outcome migrate(DataSource dataSource) {
        Flyway flyway = Flyway.configure(SchemaMigrations.class.getClassLoader())
                .dataSource(dataSource)
                .locations(LOCATION)
                .failOnMissingLocations(true)
                .table(HISTORY_TABLE)
                .javaMigrations(new PreFlywayCatchUp())
                .baselineVersion("1")
                .baselineDescription(PRE_FLYWAY_DESCRIPTION)
                .load();
        // why a lock of our own around all of it: Flyway's lock covers applying each migration, not
        // its decision to create the history table, nor our look at the tables before baselining.
        // Without it, servers starting together interleaved (one applied V1, another V2) and each
        // decided to baseline an older database; with it, one migrates and the others find nothing
        // to do (SchemaUpgradeIT)
        try (SchemaLock lock = SchemaLock.take(dataSource)) {
            boolean baselined = false;
            List<String> tables = tables(dataSource);
            if (tables.contains(HISTORY_TABLE)) {
                retryFailedCatchUp(flyway);
            } else if (!tables.isEmpty()) {
                if (tables.stream().noneMatch(PRE_FLYWAY_TABLES::contains)) {
                    throw new IllegalStateException("the database holds tables " + tables + " but none of chatcache's and no "
                            + HISTORY_TABLE + ": CHATCACHE_DB_URL must name an empty database or chatcache's own");
                }
                log.info("a database made before Flyway (tables {}): baselining it at version 1, then catching it up", tables);
                flyway.baseline();
                baselined = true;
            }
            MigrateResult result = flyway.migrate();
            String version = result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
            if (result.migrations.isEmpty()) {
                log.info("schema at version {}: up to date", version);
            } else {
                log.info("schema at version {}; applied now: {}", version, result.migrations.stream()
                        .map(m -> m.version + " (" + m.description + ", " + m.executionTime + " ms)").toList());
            }
            return new Outcome(baselined, result.migrationsExecuted, version);
        } catch (SQLException | FlywayException e) {
            throw new IllegalStateException("migrating the schema failed: " + e.getMessage(), e);
        }
    }

    /**
     * MySQL cannot roll DDL back, so Flyway records a migration that failed and refuses to start
     * again until someone removes that record ({@code flyway repair}). The catch-up is idempotent,
     * so a failed run of it (say, the connection lost during the word backfill) is removed here and
     * run again; a failed SQL migration still stops the start, for an operator to look at.
     */
    private static void retryFailedCatchUp(Flyway flyway) {
        for (MigrationInfo m : flyway.info().all()) {
            if (m.getState().isFailed() && PreFlywayCatchUp.VERSION.equals(m.getVersion())) {
                log.warn("migration {} ({}) failed at an earlier start; running it again", m.getVersion(), m.getDescription());
                flyway.repair();
                return;
            }
        }
    }

    /** The database's tables, in lower case. */
    private static List<String> tables(DataSource dataSource) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement q = c.prepareStatement(
                     "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name");
             ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                tables.add(rs.getString(1).toLowerCase(Locale.ROOT));
            }
        }
        return tables;
    }
}
