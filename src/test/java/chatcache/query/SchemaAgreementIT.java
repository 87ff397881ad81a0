package chatcache.query;

import chatcache.support.TestStores;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The three names of a queryable field agree: {@link MessageField}, the MySQL table as the
 * server migrated it from {@code schema/mysql}, and idx:messages as RediSearch holds it from
 * {@code schema/redisearch.schema}. A field added to one and not the others fails here.
 */
class SchemaAgreementIT {

    @Test
    void everyMessageFieldIsAMySqlColumnAndEveryIndexedFieldIsAMessageField() throws SQLException {
        TestStores stores = TestStores.get();
        Set<String> columns = new HashSet<>();
        try (Connection c = stores.cache.database().dataSource().getConnection()) {
            for (String table : List.of("messages", "message_words")) {
                try (ResultSet rs = c.getMetaData().getColumns(c.getCatalog(), null, table, null)) {
                    while (rs.next()) {
                        columns.add(table + "." + rs.getString("COLUMN_NAME"));
                    }
                }
            }
        }
        Set<String> indexed = indexedFields(stores);
        Set<String> redisFields = new HashSet<>();
        for (MessageField f : MessageField.values()) {
            String column = f.table() + "." + f.column();
            assertTrue(columns.contains(column), f + ": no column " + column + " in " + columns);
            redisFields.add(f.redisField());
        }
        // id is the hash's key, not an indexed field; every other field is indexed, and nothing else is
        Set<String> expected = new HashSet<>(redisFields);
        expected.remove(MessageField.ID.redisField());
        assertEquals(expected, indexed, "idx:messages fields against MessageField");
    }

    /** The field names of idx:messages, from FT.INFO (1.x: "fields"; 2.x: "attributes"). */
    private static Set<String> indexedFields(TestStores stores) {
        try (Jedis jedis = stores.cache.redisPool().getResource()) {
            redis.clients.jedis.commands.ProtocolCommand ftInfo = () -> "FT.INFO".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            List<?> info = (List<?>) jedis.sendCommand(ftInfo, stores.cache.groups().of(0).index());
            Set<String> names = new HashSet<>();
            for (int i = 0; i + 1 < info.size(); i += 2) {
                String key = new String((byte[]) info.get(i), java.nio.charset.StandardCharsets.UTF_8);
                if (key.equals("fields") || key.equals("attributes")) {
                    for (Object field : (List<?>) info.get(i + 1)) {
                        List<?> parts = (List<?>) field;
                        names.add(fieldName(parts));
                    }
                }
            }
            return names;
        }
    }

    /** 1.x: [name, type, TAG, ...]; 2.x: [identifier, name, attribute, name, type, TAG, ...]. */
    private static String fieldName(List<?> parts) {
        for (int i = 0; i + 1 < parts.size(); i++) {
            Object k = parts.get(i);
            if (k instanceof byte[] b && new String(b, java.nio.charset.StandardCharsets.UTF_8).equals("attribute")) {
                return new String((byte[]) parts.get(i + 1), java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        return new String((byte[]) parts.get(0), java.nio.charset.StandardCharsets.UTF_8);
    }
}
