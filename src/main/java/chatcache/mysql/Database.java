package chatcache.mysql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.hibernate.SessionFactory;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.cfg.Configuration;

import java.sql.Connection;
import java.sql.SQLException;

/** The MySQL connection pool, the schema and the Hibernate session factory. */
public final class Database implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final SessionFactory sessionFactory;

    private Database(HikariDataSource dataSource, SessionFactory sessionFactory) {
        this.dataSource = dataSource;
        this.sessionFactory = sessionFactory;
    }

    /** Connects, migrates the schema to this version ({@link SchemaMigrations}) and builds Hibernate. */
    public static Database open(String jdbcUrl, String user, String password) {
        return open(jdbcUrl, user, password, chatcache.Tunables.DEFAULT.db());
    }

    /** The same, with this pool's size and timeouts. */
    public static Database open(String jdbcUrl, String user, String password, chatcache.Tunables.Pool pool) {
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(jdbcUrl);
        hikari.setUsername(user);
        hikari.setPassword(password);
        hikari.setPoolName("chatcache-mysql");
        hikari.setMaximumPoolSize(pool.size());
        // why: with MySQL down, a write should fail in about two seconds (503), not hang
        hikari.setConnectionTimeout(pool.connectMillis());
        hikari.addDataSourceProperty("connectTimeout", Long.toString(pool.connectMillis()));
        hikari.addDataSourceProperty("socketTimeout", Long.toString(pool.socketMillis()));
        // why: MySQL path read marks are small bulk UPDATEs; batching the driver's statements helps writes
        hikari.addDataSourceProperty("rewriteBatchedStatements", "true");
        hikari.addDataSourceProperty("cachePrepStmts", "true");
        hikari.addDataSourceProperty("useServerPrepStmts", "true");
        hikari.addDataSourceProperty("characterEncoding", "UTF-8");
        // fail fast at start, naming the database, rather than at the first request
        hikari.setInitializationFailTimeout(10_000);
        HikariDataSource ds = new HikariDataSource(hikari);
        try {
            SchemaMigrations.migrate(ds);
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
