package chatcache.user;

import chatcache.ChatCache;
import chatcache.Config;
import chatcache.message.BackendUnavailableException;
import chatcache.mysql.MySqlUsers;
import chatcache.support.TestStores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPool;

import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Token checks while Redis cannot answer: MySQL is asked, but at a bounded rate, so that made-up
 * tokens (each new, so never remembered) cannot turn an outage into a load on MySQL.
 */
class AuthenticatorIT {
    private TestStores stores;

    @BeforeEach
    void empty() {
        stores = TestStores.get();
        stores.reset();
    }

    @Test
    void withRedisUnreachableMySqlTokenLookupsAreRateLimited() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort(); // nothing listens there once closed
        }
        Config.RedisAddress nowhere = Config.fromEnv(Map.of("CHATCACHE_DB_URL", "jdbc:mysql://unused/x",
                "CHATCACHE_REDIS_URL", "redis://127.0.0.1:" + closedPort)).redis();
        MySqlUsers users = new MySqlUsers(stores.cache.database().sessionFactory());
        try (JedisPool deadRedis = ChatCache.redisPool(nowhere)) {
            Authenticator auth = new Authenticator(users, new chatcache.redis.RedisTokens(deadRedis), stores.clock);
            Authenticator.Issued alice = auth.issue("alice", Role.USER); // stored in MySQL, not in Redis

            long before = mysqlSelects();
            int refused = 0;
            for (int i = 0; i < 200; i++) {
                try {
                    assertTrue(auth.authenticate(Tokens.newToken()).isEmpty());
                } catch (BackendUnavailableException e) {
                    refused++;
                }
            }
            // the clock stands still: one second's budget, then 503s
            assertEquals(200 - Authenticator.MYSQL_LOOKUPS_PER_SECOND, refused);
            long selects = mysqlSelects() - before;
            // why a margin: the connection pool may open a connection meanwhile (its driver runs a few SELECTs)
            assertTrue(selects >= Authenticator.MYSQL_LOOKUPS_PER_SECOND && selects <= Authenticator.MYSQL_LOOKUPS_PER_SECOND + 5,
                    selects + " SELECTs for " + Authenticator.MYSQL_LOOKUPS_PER_SECOND + " lookups");
            assertThrows(BackendUnavailableException.class, () -> auth.authenticate(alice.token()));

            stores.clock.advance(1_000); // a second later the budget is back
            assertEquals(alice.user(), auth.authenticate(alice.token()).orElseThrow());
            assertEquals(alice.user(), auth.authenticate(alice.token()).orElseThrow(), "remembered: no lookup");
        }
    }

    private long mysqlSelects() throws SQLException {
        try (Connection c = stores.cache.database().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW GLOBAL STATUS LIKE 'Com_select'")) {
            assertTrue(rs.next());
            return rs.getLong(2);
        }
    }
}
