package chatcache.rediskit;

import chatcache.core.BackendUnavailableException;
import chatcache.support.TestStores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.Pool;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.SetParams;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one way to run scripts and transactions, and the one mapping of failures, on the real Redis. */
class RedisToolkitIT {
    private final TestStores stores = TestStores.get();
    private final Pool<Jedis> pool = stores.cache.redisPool();
    private final Redis redis = new Redis(pool);
    /** A script with a key and an answer: PEXPIRE if the holder matches (the lease's renewal). */
    private final LuaScript renew = LuaScript.load("lease-renew");

    @BeforeEach
    void reset() {
        stores.reset();
    }

    @Test
    void everyScriptOfTheServiceCompilesInRedis() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("schema/lua")); Jedis jedis = pool.getResource()) {
            List<Path> scripts = files.filter(f -> f.toString().endsWith(".lua")).sorted().toList();
            assertTrue(scripts.size() >= 16, "scripts found: " + scripts);
            for (Path script : scripts) {
                // SCRIPT LOAD compiles the text; a syntax error is an error reply
                assertEquals(40, jedis.scriptLoad(Files.readString(script)).length(), script.toString());
            }
        }
    }

    @Test
    void aScriptRedisForgotIsLoadedAgain() {
        redis.run("", "test", jedis -> {
            jedis.set("lease:test", "me");
            jedis.scriptFlush();
            assertEquals(1L, renew.eval(jedis, List.of("lease:test"), List.of("me", "60000")));
            assertTrue(jedis.scriptExists(renew.sha()), "loaded by the call");
            assertEquals(0L, renew.eval(jedis, List.of("lease:test"), List.of("someone else", "60000")));
        });
    }

    @Test
    void aTransactionIsRepeatedWhenAWatchedKeyChanged() {
        AtomicInteger attempts = new AtomicInteger();
        boolean done = redis.call("", "test", jedis -> Transactions.run(jedis, "test", j -> {
            j.watch("watched");
            if (attempts.incrementAndGet() == 1) {
                otherWriterSets("watched", "changed"); // after WATCH, before EXEC: this attempt's EXEC does nothing
            }
            return tx -> tx.set("written", Integer.toString(attempts.get()), new SetParams());
        }));
        assertTrue(done);
        assertEquals(2, attempts.get());
        assertEquals("2", get("written"), "only the second attempt wrote");
    }

    @Test
    void aTransactionGivesUpAfterItsAttempts() {
        AtomicInteger attempts = new AtomicInteger();
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> redis.call("", "test",
                jedis -> Transactions.run(jedis, "writing what keeps changing", j -> {
                    j.watch("watched");
                    otherWriterSets("watched", Integer.toString(attempts.incrementAndGet()));
                    return tx -> tx.set("written", "x", new SetParams());
                })));
        assertEquals(Transactions.ATTEMPTS, attempts.get());
        assertEquals(BackendUnavailableException.Reason.DISAGREEMENT, e.reason());
        assertTrue(e.getMessage().startsWith("writing what keeps changing"), e.getMessage());
        assertNull(get("written"));
    }

    @Test
    void aTransactionWithNothingToDoClearsItsWatch() {
        redis.run("", "test", jedis -> {
            assertFalse(Transactions.run(jedis, "test", j -> {
                j.watch("watched");
                return null;
            }));
            otherWriterSets("watched", "changed");
            // a WATCH left behind would make this EXEC do nothing, and the helper try again
            AtomicInteger attempts = new AtomicInteger();
            assertTrue(Transactions.run(jedis, "test", j -> {
                attempts.incrementAndGet();
                return tx -> tx.set("written", "1", new SetParams());
            }));
            assertEquals(1, attempts.get());
        });
        assertEquals("1", get("written"));
    }

    @Test
    void aTransactionWhoseScriptRedisForgotIsRepeatedWithTheScriptLoaded() {
        AtomicInteger attempts = new AtomicInteger();
        redis.run("", "test", jedis -> {
            jedis.set("lease:test", "me");
            jedis.scriptFlush();
            Transactions.run(jedis, "test", j -> {
                attempts.incrementAndGet();
                return tx -> {
                    tx.script(renew, List.of("lease:test"), List.of("me", "60000"));
                    tx.set("after-the-script", Integer.toString(attempts.get()), new SetParams());
                };
            });
            assertTrue(jedis.pttl("lease:test") > 0, "the script ran");
        });
        assertEquals(2, attempts.get());
        assertEquals("2", get("after-the-script"), "the whole transaction ran again");
    }

    @Test
    void anErrorReplyFailsTheWriteUnlessItIsAllowed() {
        redis.run("", "test", jedis -> jedis.hset("a-hash", "f", "v"));
        // GET of a hash inside the script: WRONGTYPE
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> redis.call("", "renew the test lease",
                jedis -> Transactions.run(jedis, "test", j -> tx -> tx.script(renew, List.of("a-hash"), List.of("me", "1")))));
        assertEquals(BackendUnavailableException.Reason.FAILED, e.reason());
        assertTrue(e.getMessage().startsWith("Redis could not renew the test lease: "), e.getMessage());
        boolean ran = redis.call("", "test", jedis -> Transactions.run(jedis, "test",
                j -> tx -> tx.sendAllowingError(Protocol.Command.GET, "a-hash")));
        assertTrue(ran, "an error reply allowed");
    }

    @Test
    void aPipelineWhoseScriptRedisForgotIsSentAgain() {
        List<Object> answers = redis.call("", "test", jedis -> {
            jedis.set("lease:a", "me");
            jedis.set("lease:b", "you");
            jedis.scriptFlush();
            return Pipelines.run(jedis, queue -> {
                Response<Object> a = queue.script(renew, List.of("lease:a"), List.of("me", "60000"));
                Response<Object> b = queue.script(renew, List.of("lease:b"), List.of("me", "60000"));
                return () -> List.of(a.get(), b.get());
            });
        });
        assertEquals(List.of(1L, 0L), answers);
    }

    @Test
    void anUnreachableRedisIsUnreachable() {
        Redis dead = new Redis(TestStores.unreachableRedis());
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> dead.run("k", "read a key", jedis -> jedis.get("k")));
        assertEquals(BackendUnavailableException.Reason.UNREACHABLE, e.reason());
        assertTrue(e.getMessage().startsWith("Redis could not read a key: "), e.getMessage());
    }

    private void otherWriterSets(String key, String value) {
        try (Jedis other = pool.getResource()) {
            other.set(key, value);
        }
    }

    private String get(String key) {
        try (Jedis jedis = pool.getResource()) {
            return jedis.get(key);
        }
    }
}
