package chatcache.message;

import chatcache.query.SearchCriteria;
import chatcache.support.TestStores;
import chatcache.user.Caller;
import chatcache.user.Role;
import chatcache.user.User;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every query case, written once. Each backend runs it through a subclass that only says which
 * backend answers; messages are always written through the real write path (MySQL, then Redis).
 * Expectations are computed here from what was posted, with the documented order.
 */
public abstract class MessageQueryContract {
    /** The documented total order: createdAt descending, then id descending. */
    static final Comparator<Message> NEWEST_FIRST =
            Comparator.comparingLong(Message::createdAt).thenComparingLong(Message::id).reversed();

    protected final TestStores stores = TestStores.get();
    private final List<Message> posted = new ArrayList<>();
    protected User alice;
    protected User bob;
    protected User api;

    /** The backend this run of the contract reads. */
    protected abstract MessageBackend backend();

    /** The other backend, to check that read marks reach it. */
    protected abstract MessageBackend otherBackend();

    @BeforeEach
    void emptyStores() {
        stores.reset();
        posted.clear();
        alice = stores.userOnly("alice", Role.USER);
        bob = stores.userOnly("bob", Role.USER);
        api = stores.userOnly("backoffice", Role.API);
    }

    private Message post(long chatId, User author, String text) {
        Message m = stores.cache.messages().post(new NewMessage(chatId, author.id(), text, null));
        posted.add(m);
        return m;
    }

    private Message postAt(long millis, long chatId, User author, String text) {
        stores.clock.set(millis);
        return post(chatId, author, text);
    }

    private List<Long> expectedIds(long chatId, Optional<Long> author, int limit) {
        return posted.stream()
                .filter(m -> m.chatId() == chatId && author.map(a -> a == m.userId()).orElse(true))
                .sorted(NEWEST_FIRST)
                .limit(limit)
                .map(Message::id)
                .toList();
    }

    private List<Message> search(SearchCriteria c) {
        return Pager.page(backend(), c).messages();
    }

    private static List<Long> ids(List<Message> messages) {
        return messages.stream().map(Message::id).toList();
    }

    private static SearchCriteria chat(long chatId, int limit) {
        return new SearchCriteria(chatId, Optional.empty(), limit);
    }

    @Test
    void returnsTheNewestMessagesFirst() {
        for (int i = 0; i < 5; i++) {
            postAt(chatcache.support.TestClock.START + i * 1000L, 1, i % 2 == 0 ? alice : bob, "m" + i);
        }
        assertEquals(expectedIds(1, Optional.empty(), 20), ids(search(chat(1, 20))));
    }

    @Test
    void ordersMessagesOfTheSameMillisecondByIdDescending() {
        postAt(5_000, 1, alice, "a");
        postAt(9_000, 1, bob, "b");
        postAt(5_000, 1, bob, "c");
        postAt(9_000, 1, alice, "d");
        postAt(5_000, 1, alice, "e");
        postAt(7_000, 1, alice, "f");
        List<Long> got = ids(search(chat(1, 20)));
        assertEquals(expectedIds(1, Optional.empty(), 20), got);
        assertEquals(6, got.size());
    }

    @Test
    void cutsTiesAtTheLimitByTheSameOrder() {
        for (int i = 0; i < 10; i++) {
            postAt(42_000, 1, i % 3 == 0 ? alice : bob, "tie " + i);
        }
        assertEquals(expectedIds(1, Optional.empty(), 4), ids(search(chat(1, 4))));
    }

    @Test
    void returnsAtMostTheLimit() {
        for (int i = 0; i < 25; i++) {
            postAt(1_000 + i, 1, alice, "m" + i);
        }
        assertEquals(expectedIds(1, Optional.empty(), SearchCriteria.DEFAULT_LIMIT),
                ids(search(SearchCriteria.of(1, null, false, null, Caller.ANONYMOUS))));
        assertEquals(expectedIds(1, Optional.empty(), 1), ids(search(chat(1, 1))));
        assertEquals(expectedIds(1, Optional.empty(), 100), ids(search(chat(1, 100))));
    }

    @Test
    void returnsUpToTheMaximumLimitOfAHundred() {
        for (int i = 0; i < 120; i++) {
            postAt(1_000 + i / 3, 1, i % 2 == 0 ? alice : bob, "m" + i);
        }
        List<Long> got = ids(search(chat(1, SearchCriteria.MAX_LIMIT)));
        assertEquals(100, got.size());
        assertEquals(expectedIds(1, Optional.empty(), 100), got);
    }

    @Test
    void filtersByAuthor() {
        for (int i = 0; i < 12; i++) {
            postAt(1_000 + i % 4, 1, i % 3 == 0 ? alice : bob, "m" + i);
        }
        assertEquals(expectedIds(1, Optional.of(alice.id()), 20),
                ids(search(SearchCriteria.of(1, 20, false, alice.id(), Caller.ANONYMOUS))));
        assertEquals(expectedIds(1, Optional.of(bob.id()), 3),
                ids(search(SearchCriteria.of(1, 3, false, bob.id(), Caller.ANONYMOUS))));
    }

    @Test
    void onlyOwnReturnsTheCallersMessagesAndWinsOverUserId() {
        for (int i = 0; i < 8; i++) {
            postAt(2_000 + i, 1, i % 2 == 0 ? alice : bob, "m" + i);
        }
        SearchCriteria own = SearchCriteria.of(1, 20, true, bob.id(), Caller.of(alice));
        assertEquals(expectedIds(1, Optional.of(alice.id()), 20), ids(search(own)));
    }

    @Test
    void onlyOwnNeedsACaller() {
        assertThrows(SearchCriteria.CallerRequiredException.class,
                () -> SearchCriteria.of(1, 20, true, null, Caller.ANONYMOUS));
    }

    @Test
    void anEmptyChatHasNoMessages() {
        post(1, alice, "elsewhere");
        assertEquals(List.of(), search(chat(2, 20)));
    }

    @Test
    void anAuthorWithoutMessagesInTheChatGetsNothing() {
        post(1, alice, "only alice");
        post(2, bob, "bob elsewhere");
        assertEquals(List.of(), search(SearchCriteria.of(1, 20, false, bob.id(), Caller.ANONYMOUS)));
        assertEquals(List.of(), search(SearchCriteria.of(1, 20, false, 987_654L, Caller.ANONYMOUS)));
    }

    @Test
    void neverReturnsMessagesOfOtherChats() {
        for (int i = 0; i < 9; i++) {
            postAt(3_000, 1 + i % 3, alice, "m" + i);
        }
        for (long chat = 1; chat <= 3; chat++) {
            List<Message> got = search(chat(chat, 20));
            assertEquals(expectedIds(chat, Optional.empty(), 20), ids(got));
            long expectedChat = chat;
            assertTrue(got.stream().allMatch(m -> m.chatId() == expectedChat));
        }
    }

    @Test
    void largeChatIdsAndAuthorIdsWork() {
        long bigChat = Long.MAX_VALUE;
        post(bigChat, alice, "far away");
        assertEquals(expectedIds(bigChat, Optional.empty(), 20), ids(search(chat(bigChat, 20))));
    }

    @Test
    void returnsEveryFieldExactlyAsStored() {
        String[] texts = {
                "Привет, мир", "你好，世界", "emoji 😀👍🏽🇺🇦", "שלום עולם", "line\nbreak\ttab \"quotes\" 'single' \\ back",
                "@chatId:{1} | @userId:[0 +inf] -@sk:x*", "'; DROP TABLE messages; --", "\u0000nul and \u200b zero width",
                "😀".repeat(NewMessage.MAX_TEXT_CODE_POINTS)
        };
        for (int i = 0; i < texts.length; i++) {
            stores.clock.set(10_000 + i);
            Message m = stores.cache.messages().post(new NewMessage(1, alice.id(), texts[i],
                    i % 2 == 0 ? "{\"i\":" + i + ",\"s\":\"ü 😀\",\"nested\":{\"a\":[1,2,null]}}" : null));
            posted.add(m);
        }
        List<Message> got = search(chat(1, 20));
        List<Message> expected = posted.stream().sorted(NEWEST_FIRST).toList();
        assertEquals(expected, got);
    }

    @Test
    void aFetchMarksOthersUnreadMessagesReadAndShowsThemAsTheyWere() {
        Message fromAlice = postAt(1_000, 1, alice, "hello bob");
        Message fromBob = postAt(2_000, 1, bob, "hello alice");
        FetchResult first = stores.cache.messages().fetchFrom(backend(), chat(1, 20), Caller.of(bob));
        assertEquals(backend().name(), first.source());
        assertEquals(List.of(fromBob, fromAlice), first.messages(), "the answer shows the state before marking");

        List<Message> after = search(chat(1, 20));
        assertEquals(List.of(fromBob, fromAlice.withRead(true)), after, "others' messages read, own not");
    }

    @Test
    void readMarksReachTheOtherStore() {
        Message fromAlice = postAt(1_000, 1, alice, "one");
        Message fromBob = postAt(2_000, 1, bob, "two");
        stores.cache.messages().fetchFrom(backend(), chat(1, 20), Caller.of(api));
        stores.cache.readMarks().drain();
        assertEquals(List.of(fromBob.withRead(true), fromAlice.withRead(true)), Pager.page(otherBackend(), chat(1, 20)).messages());
        assertEquals(Pager.page(backend(), chat(1, 20)).messages(), Pager.page(otherBackend(), chat(1, 20)).messages());
    }

    @Test
    void anonymousFetchesMarkNothing() {
        Message m = post(1, alice, "unread");
        stores.cache.messages().fetchFrom(backend(), chat(1, 20), Caller.ANONYMOUS);
        stores.cache.readMarks().drain();
        assertEquals(List.of(m), search(chat(1, 20)));
        assertEquals(List.of(m), Pager.page(otherBackend(), chat(1, 20)).messages());
    }

    @Test
    void marksOnlyWhatThePageReturned() {
        Message older = postAt(1_000, 1, alice, "older");
        Message newer = postAt(2_000, 1, alice, "newer");
        stores.cache.messages().fetchFrom(backend(), chat(1, 1), Caller.of(bob));
        stores.cache.readMarks().drain();
        assertEquals(List.of(newer.withRead(true), older), search(chat(1, 20)));
        assertEquals(List.of(newer.withRead(true), older), Pager.page(otherBackend(), chat(1, 20)).messages());
    }

}
