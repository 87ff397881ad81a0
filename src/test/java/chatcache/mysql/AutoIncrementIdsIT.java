package chatcache.mysql;

import chatcache.support.TestStores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Both ways of inserting many rows return each row's own id, in order. */
class AutoIncrementIdsIT {
    private final TestStores stores = TestStores.get();

    @BeforeEach
    void empty() {
        stores.reset();
    }

    @ParameterizedTest(name = "multi-row INSERT: {0}")
    @ValueSource(booleans = {true, false})
    void idsBelongToTheRowsInOrder(boolean multiRow) throws Exception {
        List<Long> messageIds = List.of(501L, 502L, 503L, 504L, 505L, 506L, 507L);
        try (Connection c = stores.cache.database().dataSource().getConnection()) {
            List<Long> ids = AutoIncrementIds.insert(c, multiRow, "INSERT INTO cache_outbox (message_id, created_at) VALUES (?, ?)",
                    messageIds, (insert, messageId) -> {
                        insert.setLong(1, messageId);
                        insert.setLong(2, 42);
                    });
            List<Long> expected = new ArrayList<>();
            try (PreparedStatement q = c.prepareStatement("SELECT message_id FROM cache_outbox WHERE id = ?")) {
                for (long id : ids) {
                    q.setLong(1, id);
                    try (ResultSet rs = q.executeQuery()) {
                        rs.next();
                        expected.add(rs.getLong(1));
                    }
                }
            }
            assertEquals(messageIds, expected);
        }
    }
}
