package chatcache.mysql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * INSERTs of many rows that return each row's AUTO_INCREMENT id.
 *
 * <p>why: with rewriteBatchedStatements the driver sends a batch as one multi-row INSERT and
 * derives the ids from the first one, which is right only if the server hands out consecutive
 * ids to a multi-row INSERT: InnoDB does with {@code innodb_autoinc_lock_mode} 0 or 1 (MariaDB's
 * default), but not with 2 (MySQL 8's default), where concurrent inserts interleave. There the
 * rows are inserted one statement each, which returns true ids.
 */
final class AutoIncrementIds {
    private AutoIncrementIds() {
    }

    @FunctionalInterface
    interface Binder<T> {
        void bind(PreparedStatement insert, T row) throws SQLException;
    }

    static boolean consecutiveInMultiRowInserts(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT @@innodb_autoinc_lock_mode")) {
            return rs.next() && rs.getInt(1) <= 1;
        }
    }

    /** Inserts the rows in this order and returns their ids in the same order. */
    static <T> List<Long> insert(Connection connection, boolean multiRow, String sql, List<T> rows, Binder<T> binder)
            throws SQLException {
        List<Long> ids = new ArrayList<>(rows.size());
        try (PreparedStatement insert = connection.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
            if (multiRow || rows.size() == 1) {
                for (T row : rows) {
                    binder.bind(insert, row);
                    insert.addBatch();
                }
                insert.executeBatch();
                readKeys(insert, ids);
            } else {
                for (T row : rows) {
                    binder.bind(insert, row);
                    insert.executeUpdate();
                    readKeys(insert, ids);
                }
            }
        }
        if (ids.size() != rows.size()) {
            throw new SQLException(rows.size() + " rows inserted but " + ids.size() + " ids returned");
        }
        return ids;
    }

    private static void readKeys(PreparedStatement insert, List<Long> into) throws SQLException {
        try (ResultSet keys = insert.getGeneratedKeys()) {
            while (keys.next()) {
                into.add(keys.getLong(1));
            }
        }
    }
}
