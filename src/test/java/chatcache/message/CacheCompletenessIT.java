package chatcache.message;

import chatcache.core.Message;
import chatcache.query.Position;
import chatcache.query.SearchCriteria;
import chatcache.replication.CacheRebuild;
import chatcache.support.FreshStores;
import chatcache.user.Caller;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The service knows whether Redis holds a chat, rebuilds what it lost, and verifies both stores agree. */
class CacheCompletenessIT extends FreshStores {
    private List<Message> postSome(long chatId, int n) {
        List<Message> posted = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            stores.clock.advance(i % 3 == 0 ? 0 : 1);
            posted.add(stores.cache.messages().post(new NewMessage(chatId, i % 2 == 0 ? alice.id() : bob.id(), "m" + i, null)));
        }
        return posted;
    }

    private static SearchCriteria chat(long chatId) {
        return new SearchCriteria(chatId, Optional.empty(), 100);
    }

    private List<String> verify() {
        stores.cache.cacheRelay().drain();
        stores.cache.readMarks().drain();
        return stores.cache.rebuild().verify(Optional.empty(), CacheRebuild.Progress.NONE);
    }

    @Test
    void aFlushedRedisSendsReadersToMySqlUntilItIsRebuilt() {
        postSome(1, 30);
        Page truth = Pager.page(stores.cache.mysqlMessages(), chat(1));
        stores.flushRedis(); // as a Redis restarted without its data
        Fallbacks fallbacks = stores.cache.messages().fallbacks();
        long incomplete = fallbacks.count(Fallbacks.Cause.INCOMPLETE);
        FetchResult meanwhile = stores.cache.messages().fetch(chat(1), Caller.ANONYMOUS);
        assertEquals("mysql", meanwhile.source());
        assertEquals(truth.messages(), meanwhile.messages());
        assertEquals(incomplete + 1, fallbacks.count(Fallbacks.Cause.INCOMPLETE), "counted as incomplete");

        long copied = stores.cache.rebuild().rebuild(Optional.empty(), CacheRebuild.Progress.NONE);
        assertEquals(30, copied);
        long before = fallbacks.snapshot().values().stream().mapToLong(Long::longValue).sum();
        FetchResult after = stores.cache.messages().fetch(chat(1), Caller.ANONYMOUS);
        assertEquals("redis", after.source());
        assertEquals(before, fallbacks.snapshot().values().stream().mapToLong(Long::longValue).sum(), "no fallback once rebuilt");
        assertEquals(truth.messages(), after.messages());
        assertEquals(List.of(), verify());
    }

    @Test
    void aChatBeingRebuiltIsReadFromMySqlWhileOtherChatsStayOnRedis() {
        postSome(1, 3);
        postSome(2, 3);
        stores.cache.cacheState().markChatRebuilding(1);
        assertEquals("mysql", stores.cache.messages().fetch(chat(1), Caller.ANONYMOUS).source());
        assertEquals("redis", stores.cache.messages().fetch(chat(2), Caller.ANONYMOUS).source());
        stores.cache.cacheState().markChatComplete(1, java.util.Optional.empty());
        assertEquals("redis", stores.cache.messages().fetch(chat(1), Caller.ANONYMOUS).source());
    }

    /** why: an anchored page reads the anchor first; a copy that lacks it must not answer 404. */
    @Test
    void anAnchoredPageOfAChatBeingRebuiltIsReadFromMySqlEvenWhereRedisLacksTheAnchor() {
        List<Message> posted = postSome(1, 12);
        long anchor = posted.get(6).id();
        stores.cache.cacheState().markChatRebuilding(1);
        stores.cache.redisMessages().removeAll(1, List.of(anchor)); // not copied yet by the rebuild
        for (Position position : List.of(new Position.Before(anchor),
                new Position.After(anchor), new Position.Around(anchor))) {
            SearchCriteria criteria = new SearchCriteria(1, Optional.empty(), 4, position);
            Page truth = Pager.page(stores.cache.mysqlMessages(), criteria);
            FetchResult answer = stores.cache.messages().fetch(criteria, Caller.ANONYMOUS);
            assertEquals("mysql", answer.source(), position.toString());
            assertEquals(truth.messages(), answer.messages(), position.toString());
        }
    }

    @Test
    void verifyReportsEveryKindOfDriftAndARebuildOfTheChatMendsIt() {
        List<Message> posted = postSome(1, 10);
        assertEquals(List.of(), verify());
        stores.redisOf(1).run((jedis, keys) -> {
            jedis.hset(keys.message(posted.get(0).id()), "message", "tampered");
            jedis.del(keys.message(posted.get(1).id()));
            jedis.hset(keys.message(posted.get(2).id()), "read", "1");
        });
        stores.cache.redisMessages().putAll(List.of(new Message(999_999, 1, alice.id(), "ghost", 5, null, false)));
        List<String> drift = verify();
        System.out.println("CacheCompletenessIT drift found: " + drift);
        assertTrue(drift.stream().anyMatch(d -> d.contains("message " + posted.get(0).id() + " differs")), drift.toString());
        assertTrue(drift.stream().anyMatch(d -> d.contains("message " + posted.get(1).id() + " is missing")), drift.toString());
        assertTrue(drift.stream().anyMatch(d -> d.contains("message " + posted.get(2).id() + " differs")), drift.toString());
        assertTrue(drift.stream().anyMatch(d -> d.contains("MySQL does not have: [999999]")), drift.toString());
        if (stores.cache.searchIndex().moduleVersion() < 20000) {
            // 1.x keeps a DEL'd hash in the index; 2.x indexes by key prefix and drops it with the key
            assertTrue(drift.stream().anyMatch(d -> d.contains("the index holds")), drift.toString());
        }

        // the read mark Redis invented cannot be taken back by a rebuild (marks never go back);
        // make MySQL agree, as a reader's mark would, and rebuild the chat for the rest
        stores.cache.mysqlMessages().applyReadMarks(List.of(posted.get(2).id()));
        stores.cache.rebuild().rebuild(Optional.of(1L), CacheRebuild.Progress.NONE);
        assertEquals(List.of(), verify());
    }

    @Test
    void verifyReportsChatDriftAndARebuildOfTheChatMendsIt() {
        stores.members(5, alice, bob);
        stores.members(6, alice);
        assertEquals(List.of(), verify());
        // why one call per chat: their groups may lie on different nodes of a cluster
        stores.redisOf(5).run((jedis, keys) -> {
            jedis.hset(keys.chat(5), "visibility", "private");   // tampered
            jedis.hdel(keys.chat(5), "m:" + bob.id());            // a member lost
        });
        stores.redisOf(6).run((jedis, keys) -> jedis.srem(keys.userChats(alice.id()), "6")); // a membership missing from the user's set
        stores.redisOf(777).run((jedis, keys) ->
                jedis.hset(keys.chat(777), java.util.Map.of("visibility", "public", "title", "ghost", "version", "1")));
        List<String> drift = verify();
        System.out.println("CacheCompletenessIT chat drift found: " + drift);
        assertTrue(drift.stream().anyMatch(d -> d.startsWith("chat 5 differs")), drift.toString());
        assertTrue(drift.stream().anyMatch(d -> d.contains("lacks user " + alice.id() + " in chat 6")), drift.toString());
        assertTrue(drift.stream().anyMatch(d -> d.contains("Redis holds chats MySQL does not have: [777]")), drift.toString());
        stores.cache.rebuild().rebuild(Optional.of(5L), CacheRebuild.Progress.NONE);
        stores.cache.rebuild().rebuild(Optional.of(6L), CacheRebuild.Progress.NONE);
        stores.redisOf(777).run((jedis, keys) -> jedis.del(keys.chat(777))); // what a whole rebuild of a flushed Redis would not bring back
        assertEquals(List.of(), verify());
    }

    @Test
    void aRebuildOfAChatRemovesStaleEntriesWhoseHashIsGoneOrHoldsAnotherChatsMessage() {
        postSome(1, 6);
        List<Message> other = postSome(2, 3);
        Message reused = other.get(0);
        // a message Redis had and MySQL no longer has, whose hash is gone
        stores.cache.redisMessages().putAll(List.of(new Message(999_001, 1, alice.id(), "ghost", 5, null, false)));
        stores.redisOf(1).run((jedis, keys) -> jedis.del(keys.message(999_001)));
        // an id MySQL handed out again (a database restored beside a newer Redis): chat 1's old
        // message under that id, then the id's new message, of chat 2, over its hash
        stores.cache.redisMessages().putAll(List.of(new Message(reused.id(), 1, bob.id(), "old copy", 3, null, false)));
        stores.cache.redisMessages().putAll(List.of(reused));

        List<String> drift = verify();
        assertTrue(drift.stream().anyMatch(d -> d.contains("chat 1: the order index of author " + alice.id())), drift.toString());
        assertTrue(drift.stream().anyMatch(d -> d.contains("chat 1: the order index of author " + bob.id())), drift.toString());

        stores.cache.rebuild().rebuild(Optional.of(1L), CacheRebuild.Progress.NONE);
        assertEquals(List.of(), verify(), "chat 2's message must survive the rebuild of chat 1");
        for (long chatId : List.of(1L, 2L)) {
            for (Optional<Long> author : List.of(Optional.<Long>empty(), Optional.of(alice.id()), Optional.of(bob.id()))) {
                SearchCriteria c = new SearchCriteria(chatId, author, 100);
                FetchResult fromRedis = stores.cache.messages().fetch(c, Caller.ANONYMOUS);
                assertEquals("redis", fromRedis.source(), c.toString());
                assertEquals(Pager.page(stores.cache.mysqlMessages(), c).messages(), fromRedis.messages(), c.toString());
            }
        }
    }

    @Test
    void verifyReportsWordsOutOfStepInEitherStoreAndRebuildingWithMendingFixesThem() throws Exception {
        Message lacking = stores.cache.messages().post(new NewMessage(1, alice.id(), "Привет мир", null));
        Message haunted = stores.cache.messages().post(new NewMessage(1, bob.id(), "plain words", null));
        Message misindexed = stores.cache.messages().post(new NewMessage(1, alice.id(), "café", null));
        assertEquals(List.of(), verify());
        try (var c = stores.cache.database().dataSource().getConnection(); var s = c.createStatement()) {
            s.execute("DELETE FROM message_words WHERE message_id = " + lacking.id());
            s.execute("INSERT INTO message_words (chat_id, word, created_at, message_id) VALUES (1, 'ghost', "
                    + haunted.createdAt() + ", " + haunted.id() + ")");
        }
        stores.redisOf(misindexed.chatId()).run((jedis, keys) -> jedis.hset(keys.message(misindexed.id()), "words", "tea"));
        List<String> drift = verify();
        assertEquals(3, drift.size(), drift.toString());
        assertTrue(drift.get(0).contains("MySQL lacks word rows of messages [" + lacking.id() + "]"), drift.toString());
        assertTrue(drift.get(1).contains("Redis holds other words than the text's for messages [" + misindexed.id() + "]"),
                drift.toString());
        assertTrue(drift.get(2).contains("MySQL holds 4 word rows, its messages have 5 words"), drift.toString());

        stores.cache.rebuild().rebuild(Optional.of(1L), CacheRebuild.Progress.NONE);
        assertEquals(3, stores.cache.mysqlMessages().mendWords(1), "two rows added, one deleted");
        assertEquals(List.of(), verify());
        SearchCriteria ghost = new SearchCriteria(1, List.of(chatcache.query.Filter.Text.of("ghost")), 10, Position.LATEST);
        assertEquals(List.of(), Pager.page(stores.cache.mysqlMessages(), ghost).messages());
        SearchCriteria hello = new SearchCriteria(1, List.of(chatcache.query.Filter.Text.of("привет")), 10, Position.LATEST);
        assertEquals(List.of(lacking.id()), Pager.page(stores.cache.mysqlMessages(), hello).messages().stream().map(Message::id).toList());
        assertEquals(0, stores.cache.mysqlMessages().mendWords(1), "nothing left to mend");
    }

    @Test
    void aMessageCommittedAfterTheRebuildsScanIsNotRemovedAsStale() {
        // the interleaving forced: the rebuild's scan saw only the first message; the second was
        // committed and cached after it, before the stale entries are removed
        List<Message> posted = postSome(1, 3);
        Set<Long> scanned = Set.of(posted.get(0).id());
        Set<Long> asked = new java.util.HashSet<>();
        stores.cache.redisMessages().removeStale(1, scanned, ids -> {
            asked.addAll(ids);
            return Set.of(posted.get(1).id()); // MySQL has it now; the third is gone (as if deleted)
        });
        assertEquals(Set.of(posted.get(1).id(), posted.get(2).id()), asked, "asked MySQL about every candidate");
        assertEquals(Set.of(posted.get(0).id(), posted.get(1).id()), stores.cache.redisMessages().orderedIds(1));
        assertEquals(Set.of(posted.get(0).id(), posted.get(1).id()),
                chatcache.support.RedisCopies.of(stores.cache, posted.stream().map(Message::id).toList()).keySet());
    }

    @Test
    void writesDuringARebuildOfOneChatAreNotLost() throws Exception {
        postSome(1, 1);
        try (var c = stores.cache.database().dataSource().getConnection(); var s = c.createStatement()) {
            s.execute("SET SESSION max_recursive_iterations = 10000");
            s.execute("INSERT INTO messages (chat_id, user_id, message, created_at, is_read) "
                    + "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500) "
                    + "SELECT 1, " + alice.id() + ", CONCAT('bulk ', i), " + stores.clock.millis() + " + i DIV 4, FALSE FROM n");
        }
        assertEquals(2 * 2_500, stores.cache.mysqlMessages().mendWords(1), "the words of the rows written by hand");
        Thread writer = new Thread(() -> {
            for (int i = 0; i < 200; i++) {
                stores.cache.messages().post(new NewMessage(1, bob.id(), "during " + i, null));
            }
        });
        writer.start();
        stores.cache.rebuild().rebuild(Optional.of(1L), CacheRebuild.Progress.NONE);
        writer.join();
        assertEquals(List.of(), verify());
        assertEquals(2_701, stores.cache.mysqlMessages().count(Optional.of(1L)));
    }

    @Test
    void writesDuringARebuildAreNotLost() throws Exception {
        // 2,500 messages straight into MySQL (fast), for the rebuild to copy in three batches
        try (var c = stores.cache.database().dataSource().getConnection(); var s = c.createStatement()) {
            s.execute("SET SESSION max_recursive_iterations = 10000");
            s.execute("INSERT INTO messages (chat_id, user_id, message, created_at, is_read) "
                    + "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500) "
                    + "SELECT 1, " + alice.id() + ", CONCAT('bulk ', i), " + stores.clock.millis() + " + i DIV 4, FALSE FROM n");
        }
        stores.cache.mysqlMessages().mendWords(1);
        AtomicInteger written = new AtomicInteger();
        Thread writer = new Thread(() -> {
            for (int i = 0; i < 200; i++) {
                stores.cache.messages().post(new NewMessage(1 + i % 2, bob.id(), "during " + i, null));
                written.incrementAndGet();
            }
        });
        writer.start();
        stores.cache.rebuild().rebuild(Optional.empty(), CacheRebuild.Progress.NONE);
        writer.join();
        assertEquals(200, written.get());
        assertEquals(List.of(), verify());
        assertEquals(2_600, stores.cache.mysqlMessages().count(Optional.of(1L)));
        System.out.println("CacheCompletenessIT: 2,500 messages rebuilt while 200 were written; verify found no drift");
    }
}
