package chatcache.fault;

import chatcache.ChatCache;
import chatcache.Config;
import chatcache.core.Message;
import chatcache.message.CacheIncompleteException;
import chatcache.message.FetchResult;
import chatcache.message.NewMessage;
import chatcache.mysql.MessageWords;
import chatcache.query.Position;
import chatcache.query.SearchCriteria;
import chatcache.replication.CacheRebuild;
import chatcache.user.Caller;
import chatcache.user.Role;
import chatcache.user.User;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #23's faults around cold chats, on servers of the test's own: a server killed with
 * SIGKILL while it loads a chat into Redis, and Redis restarted empty while chats are evicted.
 * Afterwards Redis holds each chat exactly or not at all (verify finds nothing), and every page
 * equals MySQL's. Runs on RediSearch 1.2 and, in the 2.x pass, on 2.10 (whole chats: window 0).
 */
class WarmUpFaultIT extends WithOwnServers {
    /** Large enough that its load takes many batches (1,000 messages each), so that a kill lands inside it. */
    private static final int BIG_CHAT_MESSAGES = 30_000;
    private ChatCache cache;
    private User author;

    @BeforeEach
    void openProgram() {
        cache = ChatCache.open(Config.fromEnv(settings()), Clock.systemUTC());
        cache.startRelays();
        author = cache.authenticator().issue("author", Role.USER).user();
        await("a complete cache", Duration.ofSeconds(60), () -> Boolean.TRUE.equals(cache.health().cacheComplete()));
    }

    @AfterEach
    void closeProgram() {
        cache.close();
    }

    @Test
    void aServerKilledWhileItLoadsAChatLeavesNothingHalfLoaded() throws Exception {
        long chat = 7;
        cache.chatStore().adopt(chat, System.currentTimeMillis());
        cache.chatCopies().copy(List.of(chat));
        insertIntoMysqlAlone(chat, BIG_CHAT_MESSAGES);
        cache.replication().budget().drop(chat); // the chat is cold: Redis does not hold it

        try (AppProcess server = new AppProcess("loader", settings(), servers.dir)) {
            HttpResponse<String> first = Requests.send(server.url(""), "POST", "/chat/" + chat + "/messages", null,
                    "{\"limit\":20}");
            assertEquals(200, first.statusCode(), first.body());
            assertTrue(first.body().contains("\"source\":\"mysql\""), "a cold chat's first read is MySQL's: " + first.body());
            // the read started the server's warm-up; kill it once it has copied its first batch
            await("the server's load of chat " + chat, Duration.ofSeconds(30),
                    () -> cache.cacheState().loading().contains(chat) && cache.cacheState().messagesHeld(chat) >= 1_000);
            server.kill();
        }
        assertTrue(cache.cacheState().loading().contains(chat),
                "the kill landed inside the load (else this test proves nothing: make the chat larger)");
        long heldAtKill = cache.redisMessages().orderedIds(chat).size();
        assertTrue(heldAtKill < BIG_CHAT_MESSAGES, "the load was half done at the kill: " + heldAtKill);

        // meanwhile readers get MySQL, and the chat changes: the newest message, which the dead
        // loader copied first (a load goes newest first), is deleted
        long newest = newestInMysql(chat);
        assertTrue(cache.redisMessages().orderedIds(chat).contains(newest), "the dead loader copied the newest message");
        cache.messages().delete(chat, newest, author);
        Message posted = cache.messages().post(new NewMessage(chat, author.id(), "after the kill", null));
        SearchCriteria latest = new SearchCriteria(chat, Optional.empty(), 50);
        FetchResult during = cache.messages().fetch(latest, Caller.ANONYMOUS);
        assertEquals("mysql", during.source(), "a chat marked loading is read from MySQL");
        assertEquals(posted.id(), during.messages().get(0).id());

        // this instance finds the dead load once its lock expires, drops it and loads the chat
        // again (readers go on reading meanwhile: a read of a chat Redis does not hold loads it)
        await("chat " + chat + " loaded again", Duration.ofSeconds(120), () -> {
            assertEquals(posted.id(), cache.messages().fetch(latest, Caller.ANONYMOUS).messages().get(0).id());
            return readable(chat);
        });
        assertEquals(List.of(), cache.rebuild().verify(Optional.of(chat), CacheRebuild.Progress.NONE));
        assertEquals(BIG_CHAT_MESSAGES, cache.redisMessages().orderedIds(chat).size(), "all but the deleted one, and the new one");
        assertPagesAgree(chat, true);
    }

    @Test
    void redisRestartedEmptyWhileChatsAreEvictedLosesNothing() throws Exception {
        List<Long> chats = List.of(11L, 12L, 13L, 14L, 15L, 16L);
        List<Long> posted = new ArrayList<>();
        for (long chat : chats) {
            cache.chatStore().adopt(chat, System.currentTimeMillis());
            cache.chatCopies().copy(List.of(chat));
            for (int i = 0; i < 30; i++) {
                posted.add(cache.messages().post(new NewMessage(chat, author.id(), "m" + i + " of " + chat, null)).id());
            }
        }
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger evicted = new AtomicInteger();
        Thread churn = new Thread(() -> {
            for (int i = 0; running.get(); i++) {
                long chat = chats.get(i % chats.size());
                try {
                    if (cache.replication().budget().drop(chat)) {
                        evicted.incrementAndGet();
                    }
                    cache.replication().warmer().warmNow(chat);
                } catch (RuntimeException e) {
                    // Redis is down: the eviction fails, which is what this test is about
                }
            }
        }, "evictions");
        churn.start();
        try {
            await("evictions under way", Duration.ofSeconds(30), () -> evicted.get() >= 3);
            servers.killRedis();
            servers.startRedis(false);
            await("a few evictions after the restart", Duration.ofSeconds(60), () -> evicted.get() >= 10);
        } finally {
            running.set(false);
            churn.join(Duration.ofSeconds(30).toMillis());
        }
        await("a complete cache after the restart", Duration.ofSeconds(60),
                () -> Boolean.TRUE.equals(cache.health().cacheComplete()));
        for (long chat : chats) {
            if (!readable(chat)) {
                cache.replication().warmer().warmNow(chat);
            }
            assertTrue(readable(chat), "chat " + chat + " is held again");
        }
        assertEquals(List.of(), cache.rebuild().verify(Optional.empty(), CacheRebuild.Progress.NONE));
        for (long chat : chats) {
            assertPagesAgree(chat, false);
        }
        assertEquals(posted.size(), cache.mysqlMessages().load(posted).size(), "every acknowledged message is in MySQL");
    }

    /** The newest page and, when {@code deep}, the page below it, equal on both routes. */
    private void assertPagesAgree(long chat, boolean deep) {
        SearchCriteria latest = new SearchCriteria(chat, Optional.empty(), 100);
        FetchResult redis = cache.messages().fetch(latest, Caller.ANONYMOUS);
        assertEquals("redis", redis.source(), "chat " + chat + " is answered by Redis");
        assertEquals(cache.messages().fetchFrom(cache.mysqlMessages(), latest, Caller.ANONYMOUS).messages(), redis.messages());
        if (deep) {
            long anchor = redis.messages().get(redis.messages().size() - 1).id();
            SearchCriteria older = SearchCriteria.of(chat, 100, false, List.of(), new Position.Before(anchor), Optional.empty());
            assertEquals(cache.messages().fetchFrom(cache.mysqlMessages(), older, Caller.ANONYMOUS).messages(),
                    cache.messages().fetch(older, Caller.ANONYMOUS).messages());
        }
    }

    /** why whole chats: the same loads on both engines (a window would make the big chat's load short on 2.x). */
    private static java.util.Map<String, String> settings() {
        java.util.Map<String, String> settings = new java.util.HashMap<>(env());
        settings.put("CHATCACHE_CACHE_WINDOW", "0");
        return settings;
    }

    private boolean readable(long chat) {
        try {
            cache.redisMessages().boundary(chat);
            return true;
        } catch (CacheIncompleteException e) {
            return false;
        }
    }

    /** Messages written to MySQL alone (with their word rows), as rows written before chatcache came. */
    private void insertIntoMysqlAlone(long chat, int count) throws Exception {
        long time = System.currentTimeMillis() - count - 60_000;
        try (Connection c = cache.database().dataSource().getConnection()) {
            c.setAutoCommit(false);
            for (int from = 0; from < count; from += 1_000) {
                List<Message> batch = new ArrayList<>();
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO messages (chat_id, user_id, message, created_at,"
                        + " data, is_read) VALUES (?, ?, ?, ?, NULL, 0)", Statement.RETURN_GENERATED_KEYS)) {
                    List<Message> drafts = new ArrayList<>();
                    for (int i = from; i < Math.min(count, from + 1_000); i++) {
                        Message m = new Message(0, chat, author.id(), "old message " + i, time + i, null, false);
                        drafts.add(m);
                        insert.setLong(1, chat);
                        insert.setLong(2, author.id());
                        insert.setString(3, m.text());
                        insert.setLong(4, m.createdAt());
                        insert.addBatch();
                    }
                    insert.executeBatch();
                    try (ResultSet keys = insert.getGeneratedKeys()) {
                        for (Message m : drafts) {
                            assertTrue(keys.next());
                            batch.add(new Message(keys.getLong(1), chat, m.userId(), m.text(), m.createdAt(), null, false));
                        }
                    }
                }
                MessageWords.insert(c, batch);
                c.commit();
            }
        }
    }

    private long newestInMysql(long chat) throws Exception {
        try (Connection c = cache.database().dataSource().getConnection();
             PreparedStatement q = c.prepareStatement("SELECT MAX(id) FROM messages WHERE chat_id = ?")) {
            q.setLong(1, chat);
            try (ResultSet rs = q.executeQuery()) {
                assertTrue(rs.next());
                return rs.getLong(1);
            }
        }
    }

    private static void await(String what, Duration within, BooleanSupplier done) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            LockSupport.parkNanos(Duration.ofMillis(10).toNanos()); // poll interval
        }
    }
}
