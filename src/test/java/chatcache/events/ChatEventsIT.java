package chatcache.events;

import chatcache.core.EventId;
import chatcache.core.Message;
import chatcache.message.NewMessage;
import chatcache.query.SearchCriteria;
import chatcache.redis.OrderIndex;
import chatcache.redis.RedisMessages;
import chatcache.replication.CacheRebuild;
import chatcache.support.FreshStores;
import chatcache.user.Caller;
import chatcache.user.Role;
import chatcache.user.User;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.resps.StreamEntry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every change that reaches Redis appends exactly one entry to its chat's event stream, in the
 * same step, through the real write paths (request copies, the outbox relay and its settle, read
 * marks on both routes), and rebuilds append no message events (issue #13, producer side).
 */
class ChatEventsIT extends FreshStores {
    private static final long CHAT = 1;
    /** The chat's entries, oldest first, as field maps. */
    private List<Map<String, String>> events(long chatId) {
        List<Map<String, String>> out = new ArrayList<>();
        for (StreamEntry e : stores.redisOf(chatId).call((jedis, keys) -> jedis.xrange(keys.events(chatId), "-", "+"))) {
            out.add(new LinkedHashMap<>(e.getFields()));
        }
        return out;
    }

    private long streamLength(long chatId) {
        return stores.redisOf(chatId).call((jedis, keys) -> jedis.xlen(keys.events(chatId)));
    }

    private List<String> types(long chatId) {
        return events(chatId).stream().map(e -> e.get(ChatEvents.TYPE)).toList();
    }

    private Message post(String text) {
        stores.clock.advance(1);
        return stores.cache.messages().post(new NewMessage(CHAT, alice.id(), text, null));
    }

    /** As if every request's acknowledgement was lost: the relay re-sends (copy, then settle). */
    private void relayAgain() {
        stores.cache.outboxAcks().take(Integer.MAX_VALUE);
        stores.cache.cacheRelay().drain();
    }

    @Test
    void aPostAppendsOneCreatedEvenWhenTheRelayAndSettleCopyItAgain() {
        stores.clock.advance(1);
        Message m = stores.cache.messages().post(new NewMessage(CHAT, alice.id(), "hello", "{\"k\":1}"));
        relayAgain();
        stores.cache.redisMessages().putAll(List.of(m)); // and once more, as a rebuild batch would
        assertEquals(List.of(Map.of(ChatEvents.TYPE, ChatEvents.CREATED, ChatEvents.ID, Long.toString(m.id()),
                ChatEvents.CHAT_ID, "1", ChatEvents.USER_ID, Long.toString(alice.id()), ChatEvents.MESSAGE, "hello",
                ChatEvents.CREATED_AT, Long.toString(m.createdAt()), ChatEvents.DATA, "{\"k\":1}",
                ChatEvents.READ_FLAG, "0")), events(CHAT));
        Message noData = post("plain");
        assertFalse(events(CHAT).get(1).containsKey(ChatEvents.DATA), "no data field for a message without data");
        assertEquals(Long.toString(noData.id()), events(CHAT).get(1).get(ChatEvents.ID));
    }

    @Test
    void anEditAppendsOneEditedAndTheSameEditSentAgainNothing() {
        Message m = post("first");
        stores.clock.advance(1);
        stores.cache.messages().edit(CHAT, m.id(), "second", alice, true);
        relayAgain();
        stores.cache.redisMessages().put(List.of(new Message(m.id(), CHAT, alice.id(), "second", m.createdAt(), null, false)));
        List<Map<String, String>> events = events(CHAT);
        assertEquals(List.of(ChatEvents.CREATED, ChatEvents.EDITED), types(CHAT));
        assertEquals("second", events.get(1).get(ChatEvents.MESSAGE));
        assertEquals(Long.toString(m.id()), events.get(1).get(ChatEvents.ID));
        assertEquals(Long.toString(m.createdAt()), events.get(1).get(ChatEvents.CREATED_AT));
    }

    @Test
    void aDeleteAppendsOneDeletedAndASecondRemovalNothing() {
        Message m = post("doomed");
        stores.cache.messages().delete(CHAT, m.id(), alice);
        relayAgain();
        stores.cache.redisMessages().removeAll(m.chatId(), List.of(m.id()));
        assertEquals(List.of(ChatEvents.CREATED, ChatEvents.DELETED), types(CHAT));
        assertEquals(Map.of(ChatEvents.TYPE, ChatEvents.DELETED, ChatEvents.ID, Long.toString(m.id())), events(CHAT).get(1));
    }

    @Test
    void aFetchThatMarksThreeOfFiveAppendsOneReadListingThoseAndAFetchAgainNothing() {
        List<Message> posted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            posted.add(post("m" + i));
        }
        SearchCriteria newestThree = new SearchCriteria(CHAT, Optional.empty(), 3);
        assertEquals("redis", stores.cache.messages().fetch(newestThree, Caller.of(bob)).source());
        stores.cache.messages().fetch(newestThree, Caller.of(bob));
        stores.cache.readMarks().drain(); // the marks reach MySQL
        relayAgain();
        List<Map<String, String>> events = events(CHAT);
        assertEquals(List.of(ChatEvents.CREATED, ChatEvents.CREATED, ChatEvents.CREATED, ChatEvents.CREATED,
                ChatEvents.CREATED, ChatEvents.READ), types(CHAT));
        assertEquals(idsOf(posted.subList(2, 5)), sortedIds(events.get(5).get(ChatEvents.IDS)));

        // a second reader that fetched all five before the first one's marks: only the two others are new
        stores.cache.redisMessages().markRead(CHAT, idsOf(posted));
        events = events(CHAT);
        assertEquals(7, events.size(), types(CHAT).toString());
        assertEquals(idsOf(posted.subList(0, 2)), sortedIds(events.get(6).get(ChatEvents.IDS)));
        stores.cache.redisMessages().markRead(CHAT, idsOf(posted));
        assertEquals(7, events(CHAT).size(), "nothing left to mark");
    }

    @Test
    void aMarkMadeInMySqlByAnApiClientAppendsOneReadAndItsRelayCopyNothing() {
        List<Message> posted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            posted.add(post("m" + i));
        }
        User api = stores.userOnly("backoffice", Role.API);
        SearchCriteria newestThree = new SearchCriteria(CHAT, Optional.empty(), 3);
        assertEquals("mysql", stores.cache.messages().fetch(newestThree, Caller.of(api)).source());
        relayAgain(); // the relay copies the marked messages (read = 1) once more
        stores.cache.messages().fetch(newestThree, Caller.of(api));
        List<Map<String, String>> events = events(CHAT);
        assertEquals(6, events.size(), types(CHAT).toString());
        assertEquals(ChatEvents.READ, events.get(5).get(ChatEvents.TYPE));
        assertEquals(idsOf(posted.subList(2, 5)), sortedIds(events.get(5).get(ChatEvents.IDS)));
    }

    @Test
    void aFullRebuildAfterAFlushAppendsNoEventsAndEventsResumeAfterIt() {
        for (int i = 0; i < 5; i++) {
            post("m" + i);
        }
        stores.flushRedis(); // as a Redis restarted without its data
        Message meanwhile = post("posted while Redis holds nothing"); // its copy lands in an incomplete cache
        stores.cache.rebuild().rebuild(Optional.empty(), CacheRebuild.Progress.NONE);
        relayAgain();
        assertEquals(List.of(), events(CHAT), "a rebuild replays nothing");
        Message after = post("after");
        assertEquals(List.of(ChatEvents.CREATED), types(CHAT));
        assertEquals(Long.toString(after.id()), events(CHAT).get(0).get(ChatEvents.ID));
        assertTrue(meanwhile.id() < after.id());
    }

    /**
     * Evictions and loads append a reset; for a chat nobody follows whose stream held nothing, the
     * stream keeps only the reset's id (a few hundred bytes, not a 4 KiB node), which still tells a
     * client joining from before it that it missed changes. A followed chat keeps the entry.
     */
    @Test
    void aResetOfAChatNobodyFollowsKeepsOnlyItsIdAndStillTellsAJoinerOfTheGap() {
        post("one");
        post("two");
        EventLog log = new chatcache.redis.RedisEventLog(stores.cache.redis(), stores.cache.groups());
        stores.redisOf(CHAT).run((jedis, keys) -> {
            String stream = keys.events(CHAT);
            jedis.xtrim(stream, 0, false); // a quiet chat: its events are older than the retention
            EventId beforeDrop = log.position(CHAT).orElseThrow();

            assertTrue(stores.cache.replication().budget().drop(CHAT));
            assertEquals(0, jedis.xlen(stream), "the reset of a chat nobody follows keeps no entry");
            assertTrue(jedis.memoryUsage(stream) < 1_000, "an empty stream, not a node: " + jedis.memoryUsage(stream));
            assertFalse(log.continuesFrom(beforeDrop, CHAT), "a client from before the eviction is told to reload");
            EventId afterDrop = log.position(CHAT).orElseThrow();
            assertTrue(afterDrop.compareTo(beforeDrop) > 0, "a page read now joins after the reset");
            assertTrue(log.continuesFrom(afterDrop, CHAT), "and goes on without a needless reset");

            assertTrue(stores.cache.replication().warmer().warmNow(CHAT));
            assertEquals(0, jedis.xlen(stream));
            assertFalse(log.continuesFrom(afterDrop, CHAT), "the load's reset tells a client from before it too");

            log.follow(List.of(CHAT), 60_000);
            assertTrue(stores.cache.replication().budget().drop(CHAT));
            assertEquals(List.of(Map.of(ChatEvents.TYPE, ChatEvents.RESET, ChatEvents.REASON, ChatEvents.CHAT_EVICTED)),
                    events(CHAT), "a followed chat's stream keeps the reset for its followers");
        });
    }

    @Test
    void aRebuildOfOneChatAppendsOnlyAReset() {
        Message edited = post("will differ");
        Message lost = post("will be lost");
        post("unchanged");
        stores.redisOf(CHAT).run((jedis, keys) -> {
            jedis.hset(keys.message(edited.id()), "message", "tampered"); // drift the rebuild mends
            jedis.del(keys.message(lost.id()));
        });
        // a message Redis holds and MySQL does not: the rebuild removes it (removeStale)
        stores.cache.redisMessages().putAll(List.of(new Message(999_999, CHAT, alice.id(), "ghost", 5, null, false)));
        int before = events(CHAT).size();
        stores.cache.rebuild().rebuild(Optional.of(CHAT), CacheRebuild.Progress.NONE);
        List<Map<String, String>> added = events(CHAT).subList(before, events(CHAT).size());
        assertEquals(List.of(Map.of(ChatEvents.TYPE, ChatEvents.RESET, ChatEvents.REASON, ChatEvents.CHAT_REBUILT)), added);
        assertEquals(Optional.of("will differ"), stores.cache.redisMessages().find(CHAT, edited.id()).map(Message::text),
                "the rebuild did mend the chat");
        stores.cache.cacheState().markChatComplete(CHAT, java.util.Optional.empty()); // not marked any more: nothing to tell
        assertEquals(before + 1, events(CHAT).size());
    }

    @Test
    void theStreamKeepsAboutTheMostRecentMaxEntries() {
        RedisMessages small = new RedisMessages(stores.cache.redis(), stores.cache.groups(), stores.cache.searchIndex(),
                new OrderIndex(OrderIndex.DEFAULT_BUCKET_SIZE), new EventRetention(10, 86_400_000L), 0, chatcache.rediskit.ReplicaWait.NONE);
        small.putAll(messages(7, 1, 300));
        long length = streamLength(7);
        // why a range: MAXLEN ~ trims whole stream nodes (at most stream-node-max-entries, 100)
        assertTrue(length >= 10 && length <= 10 + 100, "length " + length);
    }

    @Test
    void entriesOlderThanTheRetentionAreTrimmed() throws InterruptedException {
        RedisMessages small = new RedisMessages(stores.cache.redis(), stores.cache.groups(), stores.cache.searchIndex(),
                new OrderIndex(OrderIndex.DEFAULT_BUCKET_SIZE), new EventRetention(10_000, 1_000), 0, chatcache.rediskit.ReplicaWait.NONE);
        small.putAll(messages(7, 1, 200));
        assertEquals(200, streamLength(7), "young entries are all kept");
        Supplier<String> firstId = () ->
                stores.redisOf(7).call((jedis, keys) -> jedis.xrange(keys.events(7), "-", "+", 1).get(0).getID().toString());
        String first = firstId.get();
        long deadline = System.currentTimeMillis() + 10_000;
        long next = 201;
        // each later write trims what has grown older than a second meanwhile
        while (firstId.get().equals(first)) {
            assertTrue(System.currentTimeMillis() < deadline, "entries older than the retention were never trimmed");
            Thread.sleep(100);
            small.putAll(messages(7, next++, 1));
        }
        assertTrue(streamLength(7) < 200, "length " + streamLength(7));
    }

    private List<Message> messages(long chatId, long firstId, int n) {
        List<Message> out = new ArrayList<>();
        for (long id = firstId; id < firstId + n; id++) {
            out.add(new Message(id, chatId, alice.id(), "text of message " + id, 1_700_000_000_000L + id, null, false));
        }
        return out;
    }

    private static List<Long> idsOf(List<Message> messages) {
        return messages.stream().map(Message::id).sorted().toList();
    }

    private static List<Long> sortedIds(String commaSeparated) {
        List<Long> ids = new ArrayList<>();
        for (String id : commaSeparated.split(",")) {
            ids.add(Long.parseLong(id));
        }
        ids.sort(null);
        return ids;
    }
}
