package chatcache.mysql;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * MySQL's named lock on one database's schema ({@code GET_LOCK}), held on a connection of its own
 * while a starting server migrates: servers starting together against one database take turns.
 * The server drops it when that connection's session ends, so a server that dies holding it does
 * not block the others.
 */
final class SchemaLock implements AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SchemaLock.class);
    /** How long one GET_LOCK waits before the wait is logged and taken up again. */
    private static final int WAIT_SECONDS = 10;

    private final Connection connection;
    private final String name;

    private SchemaLock(Connection connection, String name) {
        this.connection = connection;
        this.name = name;
    }

    /** Waits as long as another server migrates (a word backfill of a large database takes minutes). */
    static SchemaLock take(DataSource dataSource) throws SQLException {
        Connection c = dataSource.getConnection();
        try {
            String name = name(c);
            while (true) {
                try (PreparedStatement q = c.prepareStatement("SELECT GET_LOCK(?, ?)")) {
                    q.setString(1, name);
                    q.setInt(2, WAIT_SECONDS);
                    try (ResultSet rs = q.executeQuery()) {
                        rs.next();
                        long got = rs.getLong(1);
                        if (rs.wasNull()) {
                            throw new SQLException("GET_LOCK('" + name + "') failed");
                        }
                        if (got == 1) {
                            return new SchemaLock(c, name);
                        }
                    }
                }
                log.info("waiting for another chatcache server to finish migrating the schema ({})", name);
            }
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Named after the database (lock names are server-wide, at most 64 characters). */
    private static String name(Connection c) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT LEFT(CONCAT('chatcache-schema:', IFNULL(DATABASE(), '')), 64)");
             ResultSet rs = q.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Override
    public void close() {
        try (connection; PreparedStatement q = connection.prepareStatement("SELECT RELEASE_LOCK(?)")) {
            q.setString(1, name);
            q.executeQuery().close();
        } catch (SQLException e) {
            // the lock ends with the session anyway; a broken connection is not reused by the pool
            log.warn("releasing the schema lock {} failed: {}", name, e.getMessage());
        }
    }
}
