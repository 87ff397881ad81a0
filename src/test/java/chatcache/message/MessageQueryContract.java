package chatcache.message;

import chatcache.core.Message;
import chatcache.query.Filter;
import chatcache.query.Position;
import chatcache.query.SearchCriteria;
import chatcache.support.ExpectedPages;
import chatcache.support.TestStores;
import chatcache.user.Caller;
import chatcache.user.Role;
import chatcache.user.User;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
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
    static final Comparator<Message> NEWEST_FIRST = ExpectedPages.NEWEST_FIRST;

    protected final TestStores stores = chooseStores();
    private final List<Message> posted = new ArrayList<>();
    protected User alice;
    protected User bob;
    protected User api;

    /** The program this run of the contract writes and reads through (a window of Redis's, for one). */
    protected TestStores chooseStores() {
        return TestStores.get();
    }

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
                ids(search(SearchCriteria.of(1, null, false, null, Optional.empty()))));
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
                ids(search(SearchCriteria.of(1, 20, false, alice.id(), Optional.empty()))));
        assertEquals(expectedIds(1, Optional.of(bob.id()), 3),
                ids(search(SearchCriteria.of(1, 3, false, bob.id(), Optional.empty()))));
    }

    @Test
    void onlyOwnReturnsTheCallersMessagesAndWinsOverUserId() {
        for (int i = 0; i < 8; i++) {
            postAt(2_000 + i, 1, i % 2 == 0 ? alice : bob, "m" + i);
        }
        SearchCriteria own = SearchCriteria.of(1, 20, true, bob.id(), Optional.of(alice.id()));
        assertEquals(expectedIds(1, Optional.of(alice.id()), 20), ids(search(own)));
    }

    @Test
    void onlyOwnNeedsACaller() {
        assertThrows(SearchCriteria.CallerRequiredException.class,
                () -> SearchCriteria.of(1, 20, true, null, Optional.empty()));
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
        assertEquals(List.of(), search(SearchCriteria.of(1, 20, false, bob.id(), Optional.empty())));
        assertEquals(List.of(), search(SearchCriteria.of(1, 20, false, 987_654L, Optional.empty())));
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
        stores.members(bigChat); // a chat Redis holds (one it does not hold is MySQL's to answer)
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


    // ---- positions: before, after, around

    private Page page(long chatId, Optional<Long> author, int limit, Position position) {
        return Pager.page(backend(), new SearchCriteria(chatId, author, limit, position));
    }

    /** Texts of the tied chat: words in several scripts, cases, accents, apostrophes, hyphens, ideographs. */
    private static final String[] TIED_TEXTS = {"Привет, мир! tied 0", "café ☕ don't stop 1", "ПРИВЕТ again 2",
        "e-mail me at 3", "東京 tower 4", "cafe mir 5", "привет мир café 6", "nothing here 7", "Straße 8",
        "strasse Привет 9", "tower 東 10", "don t 11", "mir 12"};

    /**
     * A small chat with ties everywhere: 13 messages over 6 milliseconds, ids out of time order,
     * words shared in varied spellings, and about a third of them read.
     */
    private void postTiedChat() {
        long[] times = {300, 100, 300, 200, 100, 500, 300, 200, 600, 600, 100, 400, 500};
        for (int i = 0; i < times.length; i++) {
            postAt(times[i], 1, i % 3 == 0 ? bob : alice, TIED_TEXTS[i]);
        }
        postAt(350, 2, alice, "another chat привет");
        List<Long> read = new ArrayList<>();
        for (int i = 0; i < times.length; i++) {
            if (i % 3 == 1 || i == 6) {
                read.add(posted.get(i).id());
            }
        }
        markRead(read);
    }

    /** Marks these messages read in both stores (the MySQL path, which copies its marks to Redis at once). */
    private void markRead(List<Long> ids) {
        Map<Long, List<Long>> byChat = new java.util.TreeMap<>();
        posted.stream().filter(m -> ids.contains(m.id())).forEach(m -> byChat.computeIfAbsent(m.chatId(), c -> new ArrayList<>()).add(m.id()));
        byChat.forEach((chat, marks) -> stores.cache.replication().requestCopies().marked(chat, marks,
                stores.cache.mysqlMessages().markRead(chat, marks)));
        posted.replaceAll(m -> ids.contains(m.id()) ? m.withRead(true) : m);
    }

    /**
     * Every filter alone and every pair: no filter; one author (who has messages, or none); two
     * authors; time ranges bounded below, above and on both sides, their bounds on tied
     * milliseconds (since inclusive, until exclusive), and one between two messages' times; authors
     * with a time range.
     */
    private List<List<Filter>> filterCases() {
        return List.of(
                List.of(),
                List.of(Filter.Authors.of(alice.id())),
                List.of(Filter.Authors.of(bob.id())),
                List.of(Filter.Authors.of(api.id())),
                List.of(Filter.Authors.of(alice.id(), bob.id())),
                List.of(Filter.Authors.of(bob.id(), api.id(), 987_654L)),
                List.of(new Filter.TimeRange(300, Long.MAX_VALUE)),
                List.of(new Filter.TimeRange(Long.MIN_VALUE, 300)),
                List.of(new Filter.TimeRange(200, 600)),
                List.of(new Filter.TimeRange(301, 399)),
                List.of(Filter.Authors.of(alice.id()), new Filter.TimeRange(100, 301)),
                List.of(Filter.Authors.of(alice.id(), bob.id()), new Filter.TimeRange(200, 501)),
                List.of(new Filter.Read(true)),
                List.of(new Filter.Read(false)),
                List.of(Filter.Text.of("привет")),
                List.of(Filter.Text.of("Мир, ПРИВЕТ")),
                List.of(Filter.Text.of("CAFÉ")),
                List.of(Filter.Text.of("don't")),
                List.of(Filter.Text.of("東")),
                List.of(Filter.Text.of("STRASSE")),
                List.of(Filter.Text.of("absent")),
                List.of(Filter.Authors.of(alice.id()), new Filter.Read(false)),
                List.of(Filter.Authors.of(alice.id(), bob.id()), new Filter.Read(true)),
                List.of(Filter.Authors.of(bob.id()), Filter.Text.of("tower")),
                List.of(Filter.Authors.of(alice.id(), bob.id()), Filter.Text.of("привет")),
                List.of(new Filter.Read(true), Filter.Text.of("cafe")),
                List.of(new Filter.Read(false), Filter.Text.of("mir")),
                List.of(new Filter.Read(false), new Filter.TimeRange(200, 600)),
                List.of(Filter.Text.of("mir"), new Filter.TimeRange(300, Long.MAX_VALUE)),
                List.of(Filter.Authors.of(alice.id()), new Filter.Read(false), Filter.Text.of("привет"),
                        new Filter.TimeRange(100, 501)),
                // unread by a member: by others, after their marker; markers inside ties of one millisecond
                List.of(new Filter.UnreadBy(alice.id(), null)),
                List.of(new Filter.UnreadBy(alice.id(), placeOf(2))),
                List.of(new Filter.UnreadBy(bob.id(), placeOf(6))),
                List.of(new Filter.UnreadBy(bob.id(), placeOf(9))),
                List.of(new Filter.UnreadBy(alice.id(), placeOf(4)), Filter.Authors.of(bob.id())),
                List.of(new Filter.UnreadBy(bob.id(), placeOf(1)), new Filter.Read(false)),
                List.of(new Filter.UnreadBy(alice.id(), placeOf(3)), Filter.Text.of("привет")),
                List.of(new Filter.UnreadBy(alice.id(), placeOf(0)), new Filter.TimeRange(Long.MIN_VALUE, 500)));
    }

    /** The place in the order of the i-th message posted (a read marker there). */
    private chatcache.query.OrderKey placeOf(int i) {
        Message m = posted.get(i);
        return new chatcache.query.OrderKey(m.createdAt(), m.id());
    }

    /**
     * Words follow edits (a word lost, a word gained) and deletes, and read filters follow marks
     * made by fetches, on every position.
     */
    @Test
    void wordAndReadFiltersFollowEditsDeletesAndMarks() {
        postTiedChat();
        Message lose = posted.get(0); // "Привет, мир! tied 0"
        Message gain = posted.get(7); // "nothing here 7"
        replacePosted(stores.cache.messages().edit(1, lose.id(), "мир only now", bob, true));
        replacePosted(stores.cache.messages().edit(1, gain.id(), "nothing but привет here", alice, true));
        stores.cache.messages().delete(1, posted.get(9).id(), bob);
        long deleted = posted.get(9).id();
        posted.removeIf(m -> m.id() == deleted);
        List<Long> fetchedByAlice = ids(stores.cache.messages().fetchFrom(backend(),
                new SearchCriteria(1, List.of(Filter.Authors.of(bob.id())), 2, Position.LATEST),
                Caller.of(alice)).messages());
        stores.cache.readMarks().drain();
        posted.replaceAll(m -> fetchedByAlice.contains(m.id()) && m.userId() != alice.id() ? m.withRead(true) : m);
        List<List<Filter>> cases = List.of(List.of(Filter.Text.of("привет")), List.of(Filter.Text.of("мир")),
                List.of(Filter.Text.of("nothing")), List.of(Filter.Text.of("strasse")), List.of(new Filter.Read(true)),
                List.of(new Filter.Read(false)), List.of(new Filter.Read(false), Filter.Text.of("мир")));
        for (Message anchor : posted.stream().filter(m -> m.chatId() == 1).toList()) {
            for (Position position : List.of(Position.LATEST, new Position.Before(anchor.id()), new Position.After(anchor.id()),
                    new Position.Around(anchor.id()))) {
                for (List<Filter> f : cases) {
                    for (int limit : new int[] {1, 2, 5}) {
                        SearchCriteria c = new SearchCriteria(1, f, limit, position);
                        assertEquals(ExpectedPages.of(posted, c).orElseThrow(), Pager.page(backend(), c), c.toString());
                    }
                }
            }
        }
    }

    @Test
    void everyPositionAnchorLimitAndFilterGivesTheDocumentedPage() {
        postTiedChat();
        List<List<Filter>> filters = filterCases();
        int checked = 0;
        for (Message anchor : posted.stream().filter(m -> m.chatId() == 1).toList()) {
            for (Position position : List.of(new Position.Before(anchor.id()), new Position.After(anchor.id()), new Position.Around(anchor.id()))) {
                for (int limit = 1; limit <= 7; limit++) {
                    for (List<Filter> f : filters) {
                        SearchCriteria c = new SearchCriteria(1, f, limit, position);
                        assertEquals(ExpectedPages.of(posted, c).orElseThrow(), Pager.page(backend(), c), c.toString());
                        checked++;
                    }
                }
            }
        }
        assertEquals(13 * 3 * 7 * filters.size(), checked);
    }

    @Test
    void everyFilterAndLimitGivesTheDocumentedNewestPage() {
        postTiedChat();
        for (int limit = 1; limit <= 14; limit++) {
            for (List<Filter> f : filterCases()) {
                SearchCriteria c = new SearchCriteria(1, f, limit, Position.LATEST);
                assertEquals(ExpectedPages.of(posted, c).orElseThrow(), Pager.page(backend(), c), c.toString());
            }
        }
    }

    @Test
    void aTimeRangeBeyondEveryMessageOrBeforeTheEpochFindsNothing() {
        postTiedChat();
        for (Filter.TimeRange range : List.of(new Filter.TimeRange(601, Long.MAX_VALUE), new Filter.TimeRange(Long.MIN_VALUE, 100),
                new Filter.TimeRange(Long.MIN_VALUE, -5), new Filter.TimeRange(Long.MAX_VALUE - 1, Long.MAX_VALUE),
                new Filter.TimeRange(-100, 0))) {
            SearchCriteria c = new SearchCriteria(1, List.of(range), 20, Position.LATEST);
            assertEquals(new Page(List.of(), false, false), Pager.page(backend(), c), c.toString());
        }
        SearchCriteria all = new SearchCriteria(1, List.of(new Filter.TimeRange(-100, Long.MAX_VALUE - 1)), 20, Position.LATEST);
        assertEquals(ExpectedPages.of(posted, all).orElseThrow(), Pager.page(backend(), all));
        assertEquals(13, Pager.page(backend(), all).messages().size());
    }

    @Test
    void beforeTakesTheMessagesJustOlderThanTheAnchorAcrossATie() {
        Message a = postAt(100, 1, alice, "a");
        Message b = postAt(200, 1, alice, "b");
        Message c = postAt(200, 1, bob, "c");
        Message d = postAt(200, 1, alice, "d");
        postAt(300, 1, bob, "e");
        assertEquals(new Page(List.of(c, b), true, true), page(1, Optional.empty(), 2, new Position.Before(d.id())));
        assertEquals(new Page(List.of(a), false, true), page(1, Optional.empty(), 2, new Position.Before(b.id())));
        assertEquals(new Page(List.of(), false, true), page(1, Optional.empty(), 2, new Position.Before(a.id())));
    }

    @Test
    void afterTakesTheMessagesJustNewerThanTheAnchorNewestFirst() {
        Message a = postAt(100, 1, alice, "a");
        Message b = postAt(200, 1, alice, "b");
        Message c = postAt(200, 1, bob, "c");
        Message d = postAt(300, 1, alice, "d");
        assertEquals(new Page(List.of(c, b), true, true), page(1, Optional.empty(), 2, new Position.After(a.id())));
        assertEquals(new Page(List.of(d), true, false), page(1, Optional.empty(), 2, new Position.After(c.id())));
        assertEquals(new Page(List.of(), true, false), page(1, Optional.empty(), 2, new Position.After(d.id())));
    }

    @Test
    void aroundCentresTheAnchorWithTheExtraSlotOnTheNewerSide() {
        List<Message> m = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            m.add(postAt(1_000 + i * 10L, 1, alice, "m" + i));
        }
        // odd limit: anchor in the middle, two on each side
        assertEquals(new Page(List.of(m.get(6), m.get(5), m.get(4), m.get(3), m.get(2)), true, true),
                page(1, Optional.empty(), 5, new Position.Around(m.get(4).id())));
        // even limit: the rest (3) splits 2 newer, 1 older
        assertEquals(new Page(List.of(m.get(6), m.get(5), m.get(4), m.get(3)), true, true),
                page(1, Optional.empty(), 4, new Position.Around(m.get(4).id())));
        // at the newest end the older side fills the free slots
        assertEquals(new Page(List.of(m.get(8), m.get(7), m.get(6), m.get(5)), true, false),
                page(1, Optional.empty(), 4, new Position.Around(m.get(8).id())));
        // limit 1 is the anchor alone
        assertEquals(new Page(List.of(m.get(0)), false, true), page(1, Optional.empty(), 1, new Position.Around(m.get(0).id())));
    }

    @Test
    void anAnchorByAnotherAuthorPlacesTheFilteredPageButIsNotInIt() {
        Message a1 = postAt(100, 1, alice, "a1");
        Message b1 = postAt(200, 1, bob, "b1");
        Message a2 = postAt(300, 1, alice, "a2");
        assertEquals(new Page(List.of(a1), false, true), page(1, Optional.of(alice.id()), 5, new Position.Before(b1.id())));
        assertEquals(new Page(List.of(a2), true, false), page(1, Optional.of(alice.id()), 5, new Position.After(b1.id())));
        assertEquals(new Page(List.of(a2, a1), false, false), page(1, Optional.of(alice.id()), 5, new Position.Around(b1.id())));
        assertEquals(new Page(List.of(), false, true), page(1, Optional.of(bob.id()), 5, new Position.Before(b1.id())),
                "an empty page; the anchor itself is bob's, so there is a newer match");
    }

    @Test
    void theLatestPageSaysWhetherOlderMessagesExist() {
        for (int i = 0; i < 3; i++) {
            postAt(100 + i, 1, alice, "m" + i);
        }
        assertEquals(true, page(1, Optional.empty(), 2, Position.LATEST).hasOlder());
        assertEquals(false, page(1, Optional.empty(), 3, Position.LATEST).hasOlder());
        assertEquals(new Page(List.of(), false, false), page(7, Optional.empty(), 3, Position.LATEST));
    }

    @Test
    void anchorsThatAreNotMessagesOfTheChatAreNotFound() {
        Message here = post(1, alice, "here");
        Message elsewhere = post(2, alice, "elsewhere");
        for (Position p : List.of(new Position.Before(elsewhere.id()), new Position.After(elsewhere.id()),
                new Position.Around(elsewhere.id()), new Position.Before(here.id() + 1000))) {
            assertThrows(AnchorNotFoundException.class, () -> page(1, Optional.empty(), 5, p), p.toString());
        }
    }

    @Test
    void walkingTheWholeChatBothWaysVisitsEveryMessageOnce() {
        for (int i = 0; i < 40; i++) {
            postAt(1_000 + (i * 7L) % 13, 1, i % 4 == 0 ? bob : alice, "w" + i);
        }
        for (Optional<Long> author : List.of(Optional.<Long>empty(), Optional.of(alice.id()))) {
            List<Long> expected = expectedIds(1, author, 1000);
            List<Long> down = new ArrayList<>();
            Page p = page(1, author, 3, Position.LATEST);
            down.addAll(ids(p.messages()));
            while (p.hasOlder()) {
                p = page(1, author, 3, new Position.Before(down.get(down.size() - 1)));
                down.addAll(ids(p.messages()));
            }
            assertEquals(expected, down, "walking down with " + author);

            List<Long> up = new ArrayList<>();
            long oldest = expected.get(expected.size() - 1);
            up.add(oldest);
            p = page(1, author, 3, new Position.After(oldest));
            while (true) {
                List<Long> pageIds = new ArrayList<>(ids(p.messages()));
                java.util.Collections.reverse(pageIds);
                up.addAll(pageIds);
                if (!p.hasNewer()) {
                    break;
                }
                p = page(1, author, 3, new Position.After(up.get(up.size() - 1)));
            }
            java.util.Collections.reverse(up);
            assertEquals(expected, up, "walking up with " + author);
        }
    }

    @Test
    void newMessagesDoNotShiftOrRepeatOlderPages() {
        for (int i = 0; i < 10; i++) {
            postAt(100 + i, 1, alice, "old" + i);
        }
        List<Long> before = expectedIds(1, Optional.empty(), 100);
        Page first = page(1, Optional.empty(), 4, Position.LATEST);
        postAt(500, 1, bob, "new 1");
        postAt(500, 1, bob, "new 2");
        Page second = page(1, Optional.empty(), 4, new Position.Before(first.messages().get(3).id()));
        assertEquals(before.subList(4, 8), ids(second.messages()));
    }

    // ---- edits and deletes

    private void replacePosted(Message m) {
        posted.replaceAll(p -> p.id() == m.id() ? m : p);
    }

    @Test
    void anEditedMessageShowsItsNewTextInItsPlace() {
        Message m = postAt(100, 1, alice, "before");
        Message other = postAt(200, 1, bob, "other");
        Message edited = stores.cache.messages().edit(1, m.id(), "after ✏️ é", alice, true);
        assertEquals(new Message(m.id(), 1, alice.id(), "after ✏️ é", 100, null, false), edited);
        replacePosted(edited);
        assertEquals(List.of(other, edited), search(chat(1, 20)));
        assertEquals(ExpectedPages.of(posted, new SearchCriteria(1, Optional.of(alice.id()), 5, new Position.Around(m.id()))).orElseThrow(),
                page(1, Optional.of(alice.id()), 5, new Position.Around(m.id())));
    }

    @Test
    void anEditKeepsTheReadMark() {
        Message m = postAt(100, 1, alice, "read me");
        stores.cache.messages().fetchFrom(backend(), chat(1, 20), Caller.of(bob));
        stores.cache.readMarks().drain();
        Message edited = stores.cache.messages().edit(1, m.id(), "edited after reading", alice, true);
        assertEquals(true, edited.read());
        assertEquals(List.of(edited), search(chat(1, 20)));
    }

    @Test
    void aDeletedMessageIsGoneFromPagesAndCannotBeAnAnchor() {
        Message a = postAt(100, 1, alice, "a");
        Message b = postAt(200, 1, bob, "b");
        Message c = postAt(200, 1, alice, "c");
        Message d = postAt(300, 1, bob, "d");
        stores.cache.messages().delete(1, c.id(), alice);
        stores.cache.messages().delete(1, d.id(), api); // an API client may delete anyone's
        posted.removeIf(m -> m.id() == c.id() || m.id() == d.id());
        assertEquals(List.of(b, a), search(chat(1, 20)));
        assertEquals(new Page(List.of(b), true, false), page(1, Optional.empty(), 1, Position.LATEST));
        assertEquals(new Page(List.of(b), true, false), page(1, Optional.empty(), 5, new Position.After(a.id())));
        assertThrows(AnchorNotFoundException.class, () -> page(1, Optional.empty(), 5, new Position.Before(c.id())));
    }

    @Test
    void onlyTheAuthorEditsAndOnlyTheAuthorOrAnApiClientDeletes() {
        Message m = post(1, alice, "mine");
        assertThrows(NotAllowedException.class, () -> stores.cache.messages().edit(1, m.id(), "theirs", bob, true));
        assertThrows(NotAllowedException.class, () -> stores.cache.messages().edit(1, m.id(), "theirs", api, true));
        assertThrows(NotAllowedException.class, () -> stores.cache.messages().delete(1, m.id(), bob));
        assertThrows(MessageNotFoundException.class, () -> stores.cache.messages().edit(2, m.id(), "elsewhere", alice, true));
        assertThrows(MessageNotFoundException.class, () -> stores.cache.messages().delete(1, m.id() + 100, api));
        assertEquals(List.of(m), search(chat(1, 20)));
    }
}
