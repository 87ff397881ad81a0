package chatcache.mysql;

import chatcache.chat.Chat;
import chatcache.chat.ChatStore;
import chatcache.chat.Visibility;
import chatcache.message.Message;
import chatcache.message.NewMessage;
import chatcache.support.TestStores;
import chatcache.user.Role;
import chatcache.user.User;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A database made by an older version: without the read-state index, and with messages but no
 * word rows. Applying the schema again (as every start does) adds the index and the words, once.
 */
class SchemaUpgradeIT {
    private final TestStores stores = TestStores.get();

    @Test
    void aStartAddsTheMissingIndexAndTheWordsOfOlderMessagesOnce() throws SQLException {
        stores.reset();
        User alice = stores.userOnly("alice", Role.USER);
        List<Message> posted = List.of(
                stores.cache.messages().post(new NewMessage(1, alice.id(), "Привет мир", null)),
                stores.cache.messages().post(new NewMessage(2, alice.id(), "café au lait", null)));
        try (Connection c = stores.cache.database().dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE messages DROP INDEX " + SliceSql.CHAT_READ_ORDER_INDEX);
            s.execute("TRUNCATE TABLE message_words");
            s.execute("DELETE FROM chatcache_migrations WHERE name = '" + MessageWords.BACKFILL + "'");
            assertEquals(0, count(s, "SELECT COUNT(*) FROM message_words"));

            Database.applySchema(stores.cache.database().dataSource());
            assertEquals(1, count(s, "SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE()"
                    + " AND index_name = '" + SliceSql.CHAT_READ_ORDER_INDEX + "' AND seq_in_index = 1"));
            assertEquals(5, count(s, "SELECT COUNT(*) FROM message_words"), "привет, мир, cafe, au, lait");
            assertEquals(1, count(s, "SELECT COUNT(*) FROM chatcache_migrations WHERE name = '" + MessageWords.BACKFILL + "'"));

            // once: rows removed after the migration stay removed at the next start
            s.execute("DELETE FROM message_words WHERE message_id = " + posted.get(0).id());
            Database.applySchema(stores.cache.database().dataSource());
            assertEquals(3, count(s, "SELECT COUNT(*) FROM message_words"));
        }
    }

    @Test
    void aStartMakesTheChatsOlderMessagesNamePublicChatsOwnedByNoOneOnce() throws SQLException {
        stores.reset();
        User alice = stores.userOnly("alice", Role.USER);
        stores.clock.set(1_000);
        stores.cache.messages().post(new NewMessage(500, alice.id(), "first", null));
        stores.clock.set(2_000);
        stores.cache.messages().post(new NewMessage(500, alice.id(), "second", null));
        stores.cache.messages().post(new NewMessage(501, alice.id(), "other", null));
        try (Connection c = stores.cache.database().dataSource().getConnection(); Statement s = c.createStatement()) {
            // a database of the version before chats: no chats tables, no chat column in the outbox
            s.execute("DROP TABLE chats");
            s.execute("DROP TABLE chat_members");
            s.execute("ALTER TABLE cache_outbox DROP COLUMN chat_id");
            s.execute("DELETE FROM chatcache_migrations WHERE name = '" + MySqlChats.ADOPTION + "'");

            Database.applySchema(stores.cache.database().dataSource());
            assertEquals(1, count(s, "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE()"
                    + " AND table_name = 'cache_outbox' AND column_name = 'chat_id'"));
            ChatStore chats = new MySqlChats(stores.cache.database().sessionFactory());
            assertEquals(List.of(500L, 501L), chats.ids(0, 10));
            Chat adopted = chats.find(500).orElseThrow();
            assertEquals(new Chat(500, "chat 500", Visibility.PUBLIC, null, 1_000, 1, List.of()), adopted);

            // once: a chat removed by hand after the migration is not adopted again at the next start
            s.execute("DELETE FROM chats WHERE id = 501");
            Database.applySchema(stores.cache.database().dataSource());
            assertEquals(List.of(500L), chats.ids(0, 10));
        }
    }

    private static long count(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
