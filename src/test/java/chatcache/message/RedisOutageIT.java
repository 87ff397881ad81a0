package chatcache.message;

import chatcache.core.Message;
import chatcache.query.SearchCriteria;
import chatcache.redis.OrderIndex;
import chatcache.redis.RedisMessages;
import chatcache.replication.OutboxAcks;
import chatcache.replication.RequestCopies;
import chatcache.support.FreshStores;
import chatcache.support.TestStores;
import chatcache.user.Caller;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.Pool;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A Redis that cannot be reached (a port nobody listens on): writes still land in MySQL, and
 * readers who would read Redis are answered from MySQL instead of getting an error.
 */
class RedisOutageIT extends FreshStores {
    private Pool<Jedis> deadPool;
    private MessageService service;

    @BeforeEach
    void wireAServiceWhoseRedisIsDown() {
        deadPool = TestStores.unreachableRedis();
        RedisMessages deadRedis = new RedisMessages(new chatcache.rediskit.Redis(deadPool), stores.cache.groups(), stores.cache.searchIndex(), new OrderIndex(OrderIndex.DEFAULT_BUCKET_SIZE),
                chatcache.events.EventRetention.DEFAULT, 0, chatcache.rediskit.ReplicaWait.NONE);
        service = new MessageService(stores.clock, stores.cache.mysqlMessages(), deadRedis, new RequestCopies(stores.cache.mysqlMessages(), deadRedis, new OutboxAcks()),
                stores.cache.mysqlMessages(), deadRedis);
    }

    @AfterEach
    void closePool() {
        deadPool.close();
    }

    @Test
    void aMessageIsStoredInMySqlWhenRedisIsDown() {
        Message stored = service.post(new NewMessage(1, alice.id(), "still here", null));
        assertEquals(List.of(stored), Pager.page(stores.cache.mysqlMessages(), new SearchCriteria(1, Optional.empty(), 20)).messages());
    }

    @Test
    void messagesWrittenWhileRedisWasDownReachItWhenItIsBack() {
        Message first = service.post(new NewMessage(1, alice.id(), "while down 1", null));
        Message second = service.post(new NewMessage(1, bob.id(), "while down 2", "{\"k\":1}"));
        SearchCriteria chat = new SearchCriteria(1, Optional.empty(), 20);
        assertEquals(List.of(), Pager.page(stores.cache.redisMessages(), chat).messages());

        // Redis is back: the relay (the real one, over the live Redis) copies what the outbox holds
        assertEquals(2, stores.cache.cacheRelay().drain());
        assertEquals(List.of(second, first), Pager.page(stores.cache.redisMessages(), chat).messages());
        assertEquals(Pager.page(stores.cache.mysqlMessages(), chat), Pager.page(stores.cache.redisMessages(), chat));
        assertEquals(0, stores.cache.mysqlMessages().outboxSize());
    }

    @Test
    void readersOfRedisAreAnsweredFromMySqlWhenRedisIsDown() {
        Message stored = service.post(new NewMessage(1, alice.id(), "hello", null));
        long unreachable = service.fallbacks().count(Fallbacks.Cause.UNREACHABLE);
        FetchResult anonymous = service.fetch(new SearchCriteria(1, Optional.empty(), 20), Caller.ANONYMOUS);
        assertEquals("mysql", anonymous.source());
        assertEquals(unreachable + 1, service.fallbacks().count(Fallbacks.Cause.UNREACHABLE), "counted as Redis down");
        assertEquals(List.of(stored), anonymous.messages());

        FetchResult byBob = service.fetch(new SearchCriteria(1, Optional.empty(), 20), Caller.of(bob));
        assertEquals("mysql", byBob.source());
        assertEquals(List.of(stored), byBob.messages());
        assertEquals(List.of(stored.withRead(true)),
                Pager.page(stores.cache.mysqlMessages(), new SearchCriteria(1, Optional.empty(), 20)).messages(),
                "the fallback marks what it returned, in MySQL");
        assertEquals(false, stores.redisOf(stored.chatId()).<Boolean>call((jedis, keys) -> jedis.exists(keys.message(stored.id()))),
                "no stub hash for a message Redis never held");
    }
}
