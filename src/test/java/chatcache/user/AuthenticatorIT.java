package chatcache.user;

import chatcache.ChatCache;
import chatcache.Config;
import chatcache.core.BackendUnavailableException;
import chatcache.mysql.MySqlUsers;
import chatcache.support.TestStores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.Pool;

import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
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
        Config.RedisServers nowhere = Config.fromEnv(Map.of("CHATCACHE_DB_URL", "jdbc:mysql://unused/x",
                "CHATCACHE_REDIS_URL", "redis://127.0.0.1:" + closedPort)).redis();
        MySqlUsers users = new MySqlUsers(stores.cache.database().sessionFactory());
        try (Pool<Jedis> deadRedis = ChatCache.redisPool(nowhere)) {
            Authenticator auth = new Authenticator(users, new chatcache.redis.RedisTokens(new chatcache.rediskit.Redis(deadRedis), stores.cache.groups()), stores.clock);
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

    @Test
    void revokingFindsTheUserByIdOrByAUniqueNameAndTheTokenIsGoneFromBothStores() {
        Authenticator auth = stores.cache.authenticator();
        Authenticator.Issued alice = auth.issue("alice", Role.USER);
        Authenticator.Issued bob1 = auth.issue("bob", Role.USER);
        auth.issue("bob", Role.API);
        assertEquals(alice.user(), auth.authenticate(alice.token()).orElseThrow()); // remembered now

        IllegalArgumentException twoBobs = assertThrows(IllegalArgumentException.class, () -> auth.revoke(null, "bob"));
        assertTrue(twoBobs.getMessage().contains("--id"), twoBobs.getMessage());
        assertThrows(IllegalArgumentException.class, () -> auth.revoke(null, "nobody"));
        assertThrows(IllegalArgumentException.class, () -> auth.revoke(987_654L, null));

        assertEquals(alice.user(), auth.revoke(null, "alice"));
        assertTrue(auth.authenticate(alice.token()).isEmpty(), "refused at once by the server that revoked it");
        assertThrows(IllegalArgumentException.class, () -> auth.revoke(alice.user().id(), null), "revoked already");
        assertEquals(bob1.user(), auth.revoke(bob1.user().id(), null));
        assertTrue(auth.authenticate(bob1.token()).isEmpty());

        MySqlUsers users = new MySqlUsers(stores.cache.database().sessionFactory());
        assertTrue(users.findByTokenHash(Tokens.hash(alice.token())).isEmpty());
        List<UserDirectory.Revoked> revoked = users.revokedAfter(0, 10);
        assertEquals(List.of(alice.user().id(), bob1.user().id()), revoked.stream().map(UserDirectory.Revoked::userId).toList());
        assertTrue(revoked.get(0).at() < revoked.get(1).at(), "stamps strictly increase");
        assertEquals(revoked.get(1).at(), users.lastRevocation());

        // a full copy into a flushed Redis leaves revoked tokens out, and carries the mark
        String tokens = chatcache.redis.RedisTokens.hashOf(stores.cache.groups());
        // the token keys share one slot ({tokens} on a cluster): one DEL, routed by the first
        stores.cache.redis().run(tokens, "empty the token replica", jedis -> jedis.del(tokens, tokens + ":upto", tokens + ":revoked"));
        stores.cache.tokenSync().step();
        chatcache.redis.RedisTokens replica = new chatcache.redis.RedisTokens(stores.cache.redis(), stores.cache.groups());
        assertTrue(replica.find(Tokens.hash(alice.token())).complete());
        assertEquals(null, replica.find(Tokens.hash(alice.token())).user());
        assertEquals(revoked.get(1).at(), replica.revocationMark());
    }

    private long mysqlSelects() throws SQLException {
        try (Connection c = stores.cache.database().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW GLOBAL STATUS LIKE 'Com_select'")) {
            assertTrue(rs.next());
            return rs.getLong(2);
        }
    }
}
