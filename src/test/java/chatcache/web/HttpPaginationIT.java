package chatcache.web;

import chatcache.web.ApiClient.Reply;

import chatcache.support.TestClock;
import chatcache.user.Authenticator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static chatcache.web.ApiClient.assertError;
import static chatcache.web.ApiClient.fieldNames;
import static chatcache.web.ApiClient.bearer;
import static chatcache.web.ApiClient.ids;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Paging over HTTP: {@code before}, {@code after} and {@code around} on POST /chat/{id}/messages,
 * end to end on the real web app over the real MariaDB and Redis+RediSearch.
 *
 * <p>Every expectation comes from what the test posted: either written out by hand against the
 * fixed chat of {@link #postTiedChat()}, or computed from the posted messages with the documented
 * order (createdAt descending, then id descending) and the documented page rules ({@link #expected}).
 *
 * <p>Nested classes that extend {@link EmptyForEach} start every test with empty stores. Those
 * that extend {@link SharedTiedChat} or {@link SharedBusyChat} empty them once, post one chat,
 * and then only read it (which keeps the class fast): their signed-in readers do mark messages
 * read, but none of their tests looks at read flags, and each test that posts more uses a chat of
 * its own.
 */
class HttpPaginationIT extends LiveApp {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long T = TestClock.START; // 2027-01-15T08:00:00.000Z
    /** An author id that no user has. */
    private static final long NOBODY = 987_654_321L;

    /** Every message this test posted, in posting order. */
    private final List<Posted> posted = new ArrayList<>();

    /** The three position fields. */
    enum Pos {
        BEFORE("before"), AFTER("after"), AROUND("around");

        final String field;

        Pos(String field) {
            this.field = field;
        }
    }

    /** A message as the test posted it. */
    record Posted(long id, long chatId, long userId, long createdAt) {
    }

    /** What a fetch answered, reduced to what paging is about. */
    record Page(List<Long> ids, boolean hasOlder, boolean hasNewer) {
        long first() {
            return ids.get(0);
        }

        long last() {
            return ids.get(ids.size() - 1);
        }
    }

    /** The documented order: createdAt descending, then id descending. */
    private static final Comparator<Posted> NEWEST_FIRST =
            Comparator.comparingLong(Posted::createdAt).thenComparingLong(Posted::id).reversed();

    /** Empties both stores, signs up the authors again, and forgets what was posted. */
    @Override
    void emptyStores() {
        super.emptyStores();
        posted.clear();
    }

    /** A nested class whose tests share the tied chat of {@link #postTiedChat()}, posted once. */
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    abstract class SharedTiedChat {
        /** The tied chat's ids by posting index. */
        List<Long> m;

        @BeforeAll
        void postItOnce() {
            emptyStores();
            m = postTiedChat();
        }

        List<Long> m(int... indexes) {
            return HttpPaginationIT.m(m, indexes);
        }

        /** The tied chat's id at this posting index. */
        long id(int index) {
            return m.get(index);
        }
    }

    /** A nested class whose tests share the busy chat 5 of {@link #postBusyChat}, posted once. */
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    abstract class SharedBusyChat {
        @BeforeAll
        void postItOnce() {
            emptyStores();
            postBusyChat(5);
        }
    }

    // ------------------------------------------------------------------ the fixtures

    /**
     * Twelve messages in chat 1 by alice (a), bob (b) and the API client (p), with ties at both
     * ends and in the middle, two of them posted late with an older time; plus decoys in chats 2
     * and 10 at the same milliseconds. Returns the chat-1 ids by posting index:
     *
     * <pre>
     *  index  0  1  2  3  4  5  6  7  8  9  10 11
     *  time   T  +1 +1 +1 +2 +3 +3 +4 +5 +5 +2 T      (10 and 11 are posted last)
     *  author a  b  a  p  a  b  a  p  a  b  b  a
     * </pre>
     * <p>so the order, newest first, is {@code 9 8 7 6 5 10 4 3 2 1 11 0}; alice's is
     * {@code 8 6 4 2 11 0}, bob's {@code 9 5 10 1}, the API client's {@code 7 3}. Ids restart at 1
     * after a reset, so 10 and 11 have two-digit ids and tie with 4 and 0, which have one digit:
     * a textual comparison of ids would put them in the wrong order.
     */
    private List<Long> postTiedChat() {
        long[] times = {T, T + 1, T + 1, T + 1, T + 2, T + 3, T + 3, T + 4, T + 5, T + 5, T + 2, T};
        Authenticator.Issued[] authors = {alice, bob, alice, api, alice, bob, alice, api, alice, bob, bob, alice};
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < times.length; i++) {
            ids.add(postAt(1, authors[i], times[i]).id());
            if (i == 1) {
                postAt(2, alice, times[i]); // the same millisecond, in other chats
            } else if (i == 5) {
                postAt(10, bob, times[i]);
            }
        }
        return ids;
    }

    /** Fifty-seven messages by three authors over 12 milliseconds, posted out of order. */
    private void postBusyChat(long chatId) {
        postRandomChat(chatId, 57, 12, 57);
    }

    private void postRandomChat(long chatId, int count, int millis, long seed) {
        Random random = new Random(seed);
        Authenticator.Issued[] authors = {alice, bob, api};
        for (int i = 0; i < count; i++) {
            postAt(chatId, authors[random.nextInt(authors.length)], T + random.nextInt(millis));
        }
    }

    /** The ids of these posting indexes of the tied chat. */
    private static List<Long> m(List<Long> chat, int... indexes) {
        List<Long> out = new ArrayList<>();
        for (int i : indexes) {
            out.add(chat.get(i));
        }
        return out;
    }

    private static Page page(List<Long> ids, boolean hasOlder, boolean hasNewer) {
        return new Page(ids, hasOlder, hasNewer);
    }

    // ------------------------------------------------------------------ before

    @Nested
    class Before extends SharedTiedChat {

        @ParameterizedTest
        @EnumSource(Reader.class)
        void theTiedChatReadsInTheDocumentedOrderWhichTheseTestsRelyOn(Reader reader) {
            List<Long> order = m(9, 8, 7, 6, 5, 10, 4, 3, 2, 1, 11, 0);
            assertEquals(order, expectedIds(1, null));
            assertTrue(Long.toString(id(10)).length() > Long.toString(id(4)).length(), m.toString());
            assertTrue(Long.toString(id(11)).length() > Long.toString(id(0)).length(), m.toString());
            assertEquals(page(order, false, false), fetchPage(1, reader, body("limit", 100)));
            assertEquals(page(m(9, 8, 7), true, false), fetchPage(1, reader, body("limit", 3)));
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void beforeTheNewestGivesTheMessagesJustOlderWithBothFlagsSet(Reader reader) {
            assertEquals(page(m(8, 7, 6), true, true), fetchPage(1, reader, body("before", id(9), "limit", 3)));
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void beforeAnAnchorInsideATieStartsWithTheOlderIdsOfItsMillisecond(Reader reader) {
            // 3, 2, 1 share T+1; 11 and 0 share T
            assertEquals(page(m(1, 11), true, true), fetchPage(1, reader, body("before", id(2), "limit", 2)));
            assertEquals(page(m(2, 1, 11), true, true), fetchPage(1, reader, body("before", id(3), "limit", 3)));
            // 9 and 8 share T+5: before 9 starts with 8
            assertEquals(page(m(8), true, true), fetchPage(1, reader, body("before", id(9), "limit", 1)));
            // 10 was posted after 4 but shares its millisecond: it is newer, so before 10 is 4
            assertEquals(page(m(4), true, true), fetchPage(1, reader, body("before", id(10), "limit", 1)));
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void limitOneStepsDownThroughATieOneMessageAtATime(Reader reader) {
            assertEquals(page(m(2), true, true), fetchPage(1, reader, body("before", id(3), "limit", 1)));
            assertEquals(page(m(1), true, true), fetchPage(1, reader, body("before", id(2), "limit", 1)));
            assertEquals(page(m(11), true, true), fetchPage(1, reader, body("before", id(1), "limit", 1)));
            assertEquals(page(m(0), false, true), fetchPage(1, reader, body("before", id(11), "limit", 1)));
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void anEvenAndAnOddLimitEndExactlyAtTheOldestMessage(Reader reader) {
            assertEquals(page(m(10, 4, 3, 2, 1, 11), true, true), fetchPage(1, reader, body("before", id(5), "limit", 6)));
            assertEquals(page(m(10, 4, 3, 2, 1, 11, 0), false, true), fetchPage(1, reader, body("before", id(5), "limit", 7)));
            assertEquals(page(m(10, 4, 3, 2, 1, 11, 0), false, true), fetchPage(1, reader, body("before", id(5), "limit", 8)));
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void beforeTheOldestIsEmptyWithNothingOlderAndSomethingNewer(Reader reader) {
            assertEquals(page(List.of(), false, true), fetchPage(1, reader, body("before", id(0), "limit", 5)));
            assertEquals(page(List.of(), false, true), fetchPage(1, reader, body("before", id(0), "limit", 1)));
        }
    }

    // ------------------------------------------------------------------ after

    @Nested
    class After extends SharedTiedChat {

        @ParameterizedTest
        @EnumSource(Reader.class)
        void afterTheOldestGivesTheMessagesJustNewerStillNewestFirst(Reader reader) {
            assertEquals(page(m(2, 1, 11), true, true), fetchPage(1, reader, body("after", id(0), "limit", 3)));
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void afterAnAnchorInsideATieStartsWithTheNewerIdsOfItsMillisecond(Reader reader) {
            assertEquals(page(m(3, 2), true, true), fetchPage(1, reader, body("after", id(1), "limit", 2)));
            assertEquals(page(m(1), true, true), fetchPage(1, reader, body("after", id(11), "limit", 1)));
            assertEquals(page(m(10), true, true), fetchPage(1, reader, body("after", id(4), "limit", 1)));
            assertEquals(page(m(9), true, false), fetchPage(1, reader, body("after", id(8), "limit", 1)));
            assertEquals(page(m(9, 8), true, false), fetchPage(1, reader, body("after", id(7), "limit", 2)));
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void limitOneStepsUpThroughATieOneMessageAtATime(Reader reader) {
            assertEquals(page(m(11), true, true), fetchPage(1, reader, body("after", id(0), "limit", 1)));
            assertEquals(page(m(1), true, true), fetchPage(1, reader, body("after", id(11), "limit", 1)));
            assertEquals(page(m(2), true, true), fetchPage(1, reader, body("after", id(1), "limit", 1)));
            assertEquals(page(m(3), true, true), fetchPage(1, reader, body("after", id(2), "limit", 1)));
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void anEvenAndAnOddLimitEndExactlyAtTheNewestMessage(Reader reader) {
            assertEquals(page(m(7, 6, 5, 10), true, true), fetchPage(1, reader, body("after", id(4), "limit", 4)));
            assertEquals(page(m(8, 7, 6, 5, 10), true, true), fetchPage(1, reader, body("after", id(4), "limit", 5)));
            assertEquals(page(m(9, 8, 7, 6, 5, 10), true, false), fetchPage(1, reader, body("after", id(4), "limit", 6)));
            assertEquals(page(m(9, 8, 7, 6, 5, 10), true, false), fetchPage(1, reader, body("after", id(4), "limit", 7)));
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void afterTheNewestIsEmptyWithNothingNewerAndSomethingOlder(Reader reader) {
            assertEquals(page(List.of(), true, false), fetchPage(1, reader, body("after", id(9), "limit", 5)));
            assertEquals(page(List.of(), true, false), fetchPage(1, reader, body("after", id(9), "limit", 1)));
        }
    }

    // ------------------------------------------------------------------ around

    @Nested
    class Around extends SharedTiedChat {

        @ParameterizedTest
        @EnumSource(Reader.class)
        void anOddLimitPutsTheAnchorInTheMiddle(Reader reader) {
            assertEquals(page(m(7, 6, 5, 10, 4), true, true), fetchPage(1, reader, body("around", id(5), "limit", 5)));
            assertEquals(page(m(6, 5, 10), true, true), fetchPage(1, reader, body("around", id(5), "limit", 3)));
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void anEvenLimitGivesTheLargerHalfToNewerMessages(Reader reader) {
            assertEquals(page(m(7, 6, 5, 10), true, true), fetchPage(1, reader, body("around", id(5), "limit", 4)));
            assertEquals(page(m(8, 7, 6, 5, 10, 4), true, true), fetchPage(1, reader, body("around", id(5), "limit", 6)));
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void limitOneIsTheAnchorAloneWithExactFlags(Reader reader) {
            assertEquals(page(m(5), true, true), fetchPage(1, reader, body("around", id(5), "limit", 1)));
            assertEquals(page(m(9), true, false), fetchPage(1, reader, body("around", id(9), "limit", 1)));
            assertEquals(page(m(0), false, true), fetchPage(1, reader, body("around", id(0), "limit", 1)));
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void limitTwoAndThreeTakeTheNeighboursThatShareTheAnchorsMillisecond(Reader reader) {
            assertEquals(page(m(3, 2), true, true), fetchPage(1, reader, body("around", id(2), "limit", 2)));
            assertEquals(page(m(3, 2, 1), true, true), fetchPage(1, reader, body("around", id(2), "limit", 3)));
            assertEquals(page(m(1, 11, 0), false, true), fetchPage(1, reader, body("around", id(11), "limit", 3)));
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void aroundTheNewestFillsTheWindowWithOlderMessages(Reader reader) {
            assertEquals(page(m(9, 8, 7, 6, 5), true, false), fetchPage(1, reader, body("around", id(9), "limit", 5)));
            assertEquals(page(m(9, 8, 7, 6), true, false), fetchPage(1, reader, body("around", id(9), "limit", 4)));
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void aroundTheSecondNewestGivesItsUnusedNewerSlotsToOlderMessages(Reader reader) {
            assertEquals(page(m(9, 8, 7, 6, 5), true, false), fetchPage(1, reader, body("around", id(8), "limit", 5)));
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void aroundTheOldestFillsTheWindowWithNewerMessages(Reader reader) {
            assertEquals(page(m(2, 1, 11, 0), false, true), fetchPage(1, reader, body("around", id(0), "limit", 4)));
            assertEquals(page(m(3, 2, 1, 11, 0), false, true), fetchPage(1, reader, body("around", id(0), "limit", 5)));
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void aLimitBeyondTheChatReturnsTheWholeChatWithNothingBeyond(Reader reader) {
            List<Long> all = m(9, 8, 7, 6, 5, 10, 4, 3, 2, 1, 11, 0);
            assertEquals(page(all, false, false), fetchPage(1, reader, body("around", id(5), "limit", 100)));
            assertEquals(page(all, false, false), fetchPage(1, reader, body("around", id(0), "limit", 12)));
            assertEquals(page(all, false, false), fetchPage(1, reader, body("around", id(9), "limit", 12)));
        }
    }

    // ------------------------------------------------------------------ every anchor, every limit

    @Nested
    class EveryAnchor extends SharedTiedChat {

        @ParameterizedTest
        @EnumSource(Reader.class)
        void everyPositionLimitAndAnchorOfTheTiedChatGivesTheDocumentedPage(Reader reader) {
            for (long anchor : m) {
                for (int limit : new int[]{1, 2, 3, 4, 13}) {
                    for (Pos pos : Pos.values()) {
                        ObjectNode body = body(pos.field, anchor, "limit", limit);
                        assertEquals(expected(1, null, pos, anchor, limit), fetchPage(1, reader, body),
                                reader + " " + body + " on " + expectedIds(1, null));
                    }
                }
            }
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void everyAuthorFilterWithEveryPositionAndAnchorGivesTheDocumentedPage(Reader reader) {
            for (long anchor : m) {
                for (long author : List.of(alice.user().id(), bob.user().id())) {
                    for (int limit : new int[]{1, 3}) {
                        for (Pos pos : Pos.values()) {
                            ObjectNode body = body("userId", author, pos.field, anchor, "limit", limit);
                            assertEquals(expected(1, author, pos, anchor, limit), fetchPage(1, reader, body),
                                    reader + " " + body + " on " + expectedIds(1, author));
                        }
                    }
                }
            }
        }

        @ParameterizedTest
        @EnumSource(value = Reader.class, names = {"USER", "API"})
        void onlyOwnWithEveryPositionAndAnchorGivesTheCallersDocumentedPage(Reader reader) {
            long self = issued(reader).user().id();
            for (long anchor : m) {
                for (Pos pos : Pos.values()) {
                    ObjectNode body = body("onlyOwn", true, pos.field, anchor, "limit", 2);
                    assertEquals(expected(1, self, pos, anchor, 2), fetchPage(1, reader, body),
                            reader + " " + body + " on " + expectedIds(1, self));
                }
            }
        }
    }

    // ------------------------------------------------------------------ filters with positions

    @Nested
    class FiltersWithPositions extends SharedTiedChat {

        @ParameterizedTest
        @EnumSource(Reader.class)
        void userIdBeforeAnAnchorByAnotherAuthorGivesThatAuthorsOlderMessages(Reader reader) {
            long a = alice.user().id();
            // 5 is bob's; alice's are 8 6 4 2 11 0
            assertEquals(page(m(4, 2), true, true), fetchPage(1, reader, body("userId", a, "before", id(5), "limit", 2)));
            assertEquals(page(m(4, 2, 11, 0), false, true), fetchPage(1, reader, body("userId", a, "before", id(5), "limit", 10)));
            // 9 is bob's and newer than all of alice's: before it is alice's newest, nothing newer
            assertEquals(page(m(8, 6), true, false), fetchPage(1, reader, body("userId", a, "before", id(9), "limit", 2)));
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void userIdBeforeAnAnchorByTheSameAuthorCountsTheAnchorAsNewer(Reader reader) {
            long a = alice.user().id();
            assertEquals(page(m(4, 2), true, true), fetchPage(1, reader, body("userId", a, "before", id(6), "limit", 2)));
            // before alice's newest: nothing of hers is newer than the page but the anchor itself
            assertEquals(page(m(6), true, true), fetchPage(1, reader, body("userId", a, "before", id(8), "limit", 1)));
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void userIdAfterAnAnchorByAnotherOrByTheSameAuthor(Reader reader) {
            long a = alice.user().id();
            assertEquals(page(m(6, 4), true, true), fetchPage(1, reader, body("userId", a, "after", id(3), "limit", 2)));
            assertEquals(page(m(8, 6), true, false), fetchPage(1, reader, body("userId", a, "after", id(4), "limit", 2)));
            // 1 is bob's, just newer than alice's 11 and 0
            assertEquals(page(m(2), true, true), fetchPage(1, reader, body("userId", a, "after", id(1), "limit", 1)));
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void emptyFilteredPagesTellExactlyWhetherThatAuthorHasMessagesBeyond(Reader reader) {
            long b = bob.user().id();
            long p = api.user().id();
            // bob's oldest is 1: before it, and before alice's 11 which is older still
            assertEquals(page(List.of(), false, true), fetchPage(1, reader, body("userId", b, "before", id(1))));
            assertEquals(page(List.of(), false, true), fetchPage(1, reader, body("userId", b, "before", id(11))));
            // the API client's newest is 7: after it, and after alice's 8 which is newer still
            assertEquals(page(List.of(), true, false), fetchPage(1, reader, body("userId", p, "after", id(7))));
            assertEquals(page(List.of(), true, false), fetchPage(1, reader, body("userId", p, "after", id(8))));
            // an author without messages: nothing anywhere
            for (Pos pos : Pos.values()) {
                assertEquals(page(List.of(), false, false), fetchPage(1, reader, body("userId", NOBODY, pos.field, id(5))));
            }
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void userIdAroundAnAnchorByAnotherAuthorLeavesTheAnchorOutAndSplitsTheWholeLimit(Reader reader) {
            long a = alice.user().id();
            long b = bob.user().id();
            // 5 is bob's: 4 slots, 2 newer (8 6) and 2 older (4 2) of alice's
            assertEquals(page(m(8, 6, 4, 2), true, false), fetchPage(1, reader, body("userId", a, "around", id(5), "limit", 4)));
            // odd: newer gets the larger half
            assertEquals(page(m(8, 6, 4), true, false), fetchPage(1, reader, body("userId", a, "around", id(5), "limit", 3)));
            assertEquals(page(m(6), true, true), fetchPage(1, reader, body("userId", a, "around", id(5), "limit", 1)));
            // 7 is the API client's: one newer (9) and one older (5) of bob's
            assertEquals(page(m(9, 5), true, false), fetchPage(1, reader, body("userId", b, "around", id(7), "limit", 2)));
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void userIdAroundAnAnchorByTheSameAuthorIncludesIt(Reader reader) {
            long a = alice.user().id();
            assertEquals(page(m(8, 6, 4), true, false), fetchPage(1, reader, body("userId", a, "around", id(6), "limit", 3)));
            assertEquals(page(m(6, 4), true, true), fetchPage(1, reader, body("userId", a, "around", id(4), "limit", 2)));
            assertEquals(page(m(11, 0), false, true), fetchPage(1, reader, body("userId", a, "around", id(0), "limit", 2)));
        }

        @ParameterizedTest
        @EnumSource(value = Reader.class, names = {"USER", "API"})
        void onlyOwnCombinesWithEveryPositionAndWinsOverUserId(Reader reader) {
            long self = issued(reader).user().id();
            List<Long> own = expectedIds(1, self);
            assertTrue(own.size() >= 2, own.toString());
            long a = alice.user().id();
            // an anchor that is not the caller's: alice's 4, in the middle of the chat
            for (Pos pos : Pos.values()) {
                Page expected = expected(1, self, pos, id(4), 2);
                assertEquals(expected, fetchPage(1, reader, body("onlyOwn", true, pos.field, id(4), "limit", 2)), pos.field);
                assertEquals(expected, fetchPage(1, reader, body("onlyOwn", true, "userId", a, pos.field, id(4), "limit", 2)),
                        pos.field);
            }
            // around the caller's own newest message: it is in the page, with the next older one
            assertEquals(page(own.subList(0, 2), own.size() > 2, false),
                    fetchPage(1, reader, body("onlyOwn", true, "around", own.get(0), "limit", 2)));
        }

        @Test
        void onlyOwnWithAPositionStillNeedsACaller() {
            for (Pos pos : Pos.values()) {
                assertError(fetch(1, Reader.ANONYMOUS, body("onlyOwn", true, pos.field, id(4)).toString()), 401);
            }
        }
    }

    // ------------------------------------------------------------------ 404

    @Nested
    class UnknownAnchors extends SharedTiedChat {

        @ParameterizedTest
        @EnumSource(Reader.class)
        void anAnchorThatIsNoMessageIs404OnEveryPosition(Reader reader) {
            long unknown = posted.stream().mapToLong(Posted::id).max().orElseThrow() + 1000;
            for (Pos pos : Pos.values()) {
                for (long anchor : new long[]{unknown, Long.MAX_VALUE}) {
                    Reply reply = fetch(1, reader, body(pos.field, anchor).toString());
                    assertError(reply, 404);
                    assertEquals(Set.of("error"), fieldNames(reply.json()), reply.body());
                }
                // with a filter too
                assertError(fetch(1, reader, body("userId", alice.user().id(), pos.field, unknown, "limit", 3).toString()), 404);
            }
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void anAnchorOfAnotherChatGetsTheSame404AsAnUnknownIdApartFromTheNumbers(Reader reader) {
            Posted elsewhere = posted.stream().filter(p -> p.chatId() == 2).findFirst().orElseThrow();
            long unknown = posted.stream().mapToLong(Posted::id).max().orElseThrow() + 1000;
            for (Pos pos : Pos.values()) {
                Reply ofOtherChat = fetch(1, reader, body(pos.field, elsewhere.id()).toString());
                Reply ofNoChat = fetch(1, reader, body(pos.field, unknown).toString());
                assertError(ofOtherChat, 404);
                assertError(ofNoChat, 404);
                assertEquals(fieldNames(ofNoChat.json()), fieldNames(ofOtherChat.json()));
                assertEquals(ofNoChat.contentType(), ofOtherChat.contentType());
                assertEquals(digitsMasked(ofNoChat.body()), digitsMasked(ofOtherChat.body()),
                        ofOtherChat.body() + " vs " + ofNoChat.body());
                // nothing in the answer tells which chat the message is in
                assertFalse(ofOtherChat.body().contains("chat " + elsewhere.chatId()), ofOtherChat.body());

                // with its author's filter, or asked of a chat with no messages at all: the same
                Reply filtered = fetch(1, reader, body("userId", elsewhere.userId(), pos.field, elsewhere.id()).toString());
                assertError(filtered, 404);
                assertEquals(digitsMasked(ofNoChat.body()), digitsMasked(filtered.body()));
                Reply emptyChat = fetch(3, reader, body(pos.field, elsewhere.id()).toString());
                assertError(emptyChat, 404);
                assertEquals(digitsMasked(ofNoChat.body()), digitsMasked(emptyChat.body()));
            }
            // the message itself is there, in its own chat
            assertEquals(List.of(elsewhere.id()), fetchPage(2, reader, body("around", elsewhere.id(), "limit", 1)).ids());
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void aMessageIsNoAnchorForAnotherChatThatHasMessagesInTheSameMillisecond(Reader reader) {
            // chat 2 has a message at the millisecond of chat 1's index 1, chat 10 at that of index 5
            for (Pos pos : Pos.values()) {
                assertError(fetch(2, reader, body(pos.field, id(1)).toString()), 404);
                assertError(fetch(10, reader, body(pos.field, id(5)).toString()), 404);
            }
        }

        @Test
        void everyRouteAnswersAnUnknownOrForeignAnchorWithTheSameBody() {
            Posted elsewhere = posted.stream().filter(p -> p.chatId() == 2).findFirst().orElseThrow();
            for (Pos pos : Pos.values()) {
                String foreign = body(pos.field, elsewhere.id()).toString();
                String unknown = body(pos.field, Long.MAX_VALUE).toString();
                Reply expected = fetch(1, Reader.ANONYMOUS, foreign);
                for (Reader reader : Reader.values()) {
                    assertEquals(expected.body(), fetch(1, reader, foreign).body(), reader.name());
                    assertEquals(digitsMasked(expected.body()), digitsMasked(fetch(1, reader, unknown).body()), reader.name());
                }
            }
        }

        @ParameterizedTest
        @ValueSource(strings = {"before", "after", "around"})
        void theLargestLongIsAValidAnchorIdThatNamesNoMessage(String field) {
            for (Reader reader : Reader.values()) {
                assertError(fetch(1, reader, "{\"" + field + "\":9223372036854775807}"), 404);
            }
        }
    }

    // ------------------------------------------------------------------ 400

    static Stream<String> invalidPositionBodies() {
        List<String> bodies = new ArrayList<>(List.of(
                "{\"before\":{a},\"after\":{b}}",
                "{\"before\":{a},\"around\":{b}}",
                "{\"after\":{a},\"around\":{b}}",
                "{\"before\":{a},\"after\":{b},\"around\":{c}}",
                "{\"before\":{a},\"after\":{a}}",
                "{\"limit\":5,\"userId\":{u},\"after\":{a},\"before\":{b}}",
                "{\"before\":{a},\"after\":999999999}",           // 400, though one anchor does not exist
                "{\"around\":{a},\"limit\":101}",
                "{\"around\":{a},\"limit\":0}",
                "{\"before\":{a},\"limit\":1.5}"));
        for (String field : List.of("before", "after", "around")) {
            for (String value : List.of("0", "-0", "-1", "-{a}", "1.5", "{a}.0", "{a}.5", "1e1", "\"{a}\"", "\"12\"", "true",
                    "false", "[{a}]", "{}", "99999999999999999999", "9223372036854775808")) {
                bodies.add("{\"" + field + "\":" + value + "}");
            }
        }
        return bodies.stream();
    }

    @Nested
    class InvalidPositions extends SharedTiedChat {

        @ParameterizedTest
        @MethodSource("chatcache.web.HttpPaginationIT#invalidPositionBodies")
        void anInvalidPositionIsRefusedWith400OnEveryRoute(String template) {
            String raw = template.replace("{a}", Long.toString(id(5)))
                    .replace("{b}", Long.toString(id(6)))
                    .replace("{c}", Long.toString(id(7)))
                    .replace("{u}", Long.toString(alice.user().id()));
            // the limit is checked first; otherwise the error names the position field
            String named = raw.matches(".*\"limit\":(101|0|1\\.5).*") ? "'limit'"
                    : raw.contains("\"before\"") ? "'before'" : raw.contains("\"after\"") ? "'after'" : "'around'";
            for (Reader reader : Reader.values()) {
                Reply reply = fetch(1, reader, raw);
                assertError(reply, 400);
                String error = reply.json().get("error").textValue();
                assertTrue(error.contains(named), reader + " " + raw + ": " + error);
            }
        }

        @Test
        void aroundWithLimit101IsRefusedForTheLimitOnEveryRoute() {
            for (Reader reader : Reader.values()) {
                Reply reply = fetch(1, reader, body("around", id(5), "limit", 101).toString());
                assertError(reply, 400);
                assertTrue(reply.json().get("error").textValue().contains("'limit'"), reply.body());
            }
        }
    }

    // ------------------------------------------------------------------ walking a chat

    /** Filters to walk with: none, each author, and the caller's own messages when signed in. */
    private List<ObjectNode> walkFilters(Reader reader) {
        List<ObjectNode> filters = new ArrayList<>(List.of(
                body(), body("userId", alice.user().id()), body("userId", bob.user().id()), body("userId", api.user().id())));
        if (reader != Reader.ANONYMOUS) {
            filters.add(body("onlyOwn", true));
        }
        return filters;
    }

    private Long authorOf(ObjectNode filter, Reader reader) {
        if (filter.has("onlyOwn")) {
            return issued(reader).user().id();
        }
        return filter.has("userId") ? filter.get("userId").longValue() : null;
    }

    @Nested
    class Walking extends SharedBusyChat {

        @ParameterizedTest
        @EnumSource(Reader.class)
        void walkingDownWithBeforeAndBackUpWithAfterVisitsEveryMessageExactlyOnce(Reader reader) {
            for (ObjectNode filter : walkFilters(reader)) {
                List<Long> order = expectedIds(5, authorOf(filter, reader));
                assertTrue(order.size() > 10, "the filter " + filter + " should leave several pages: " + order);

                List<Page> down = walkDown(5, reader, filter, 5, order.size());
                assertEquals(order, concat(down), reader + " walking down with " + filter);
                for (int i = 0; i < down.size(); i++) {
                    Page p = down.get(i);
                    boolean last = i == down.size() - 1;
                    assertEquals(last ? order.size() - 5 * i : 5, p.ids().size(), "page " + i + " of " + filter);
                    assertEquals(!last, p.hasOlder(), "page " + i + " of " + filter);
                    assertEquals(i > 0, p.hasNewer(), "page " + i + " of " + filter);
                }

                List<Page> up = walkUp(5, reader, filter, 5, down.get(down.size() - 1), order.size());
                assertEquals(order, concat(up.reversed()), reader + " walking up with " + filter);
                for (int i = 1; i < up.size(); i++) {
                    Page p = up.get(i);
                    boolean last = i == up.size() - 1;
                    assertTrue(p.hasOlder(), "page " + i + " of " + filter);
                    assertEquals(!last, p.hasNewer(), "page " + i + " of " + filter);
                    if (!last) {
                        assertEquals(5, p.ids().size(), "page " + i + " of " + filter);
                    }
                }
            }
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void aWalkWithLimitOneCrossesEveryTieOneMessageAtATime(Reader reader) {
            List<Long> order = expectedIds(5, null);
            List<Page> down = walkDown(5, reader, body(), 1, order.size());
            assertEquals(order, concat(down));
            assertEquals(order.size(), down.size());
            List<Page> up = walkUp(5, reader, body(), 2, down.get(down.size() - 1), order.size());
            assertEquals(order, concat(up.reversed()));
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void aWalkCanStartAroundAnyMessageAndGoBothWays(Reader reader) {
            List<Long> order = expectedIds(5, null);
            long middle = order.get(order.size() / 2);
            Page start = fetchPage(5, reader, body("around", middle, "limit", 7));
            assertEquals(expected(5, null, Pos.AROUND, middle, 7), start);
            List<Page> up = walkUp(5, reader, body(), 4, start, order.size());
            List<Page> down = walkDown(5, reader, body(), 6, start, order.size());
            List<Long> all = new ArrayList<>(concat(up.reversed()));
            all.addAll(concat(down.subList(1, down.size())));
            assertEquals(order, all);
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void newMessagesArrivingDuringAWalkDoNotShiftOrRepeatOlderPages(Reader reader) {
            long chat = 60 + reader.ordinal(); // a chat of its own: this test posts
            postRandomChat(chat, 23, 6, 23);
            List<Long> original = expectedIds(chat, null);
            long newest = matching(chat, null).get(0).createdAt();

            List<Long> walked = new ArrayList<>();
            List<Long> arrived = new ArrayList<>();
            Page page = fetchPage(chat, reader, body("limit", 5));
            long top = page.first();
            walked.addAll(page.ids());
            while (page.hasOlder()) {
                // one in the newest millisecond so far (newer by its id), one a millisecond later
                arrived.add(postAt(chat, bob, newest).id());
                newest++;
                arrived.add(postAt(chat, alice, newest).id());
                page = fetchPage(chat, reader, body("limit", 5, "before", page.last()));
                assertTrue(page.hasNewer(), page.toString());
                assertFalse(page.ids().isEmpty(), page.toString());
                walked.addAll(page.ids());
                assertTrue(walked.size() <= original.size(), "walked past the end: " + walked);
            }
            assertEquals(original, walked);

            // the arrivals are exactly what lies after the first page's top
            List<Long> arrivedNewestFirst = arrived.reversed();
            assertEquals(arrivedNewestFirst, expectedIds(chat, null).subList(0, arrived.size()));
            Page first = fetchPage(chat, reader, body("limit", 5, "after", top));
            List<Page> up = walkUp(chat, reader, body(), 5, first, arrived.size());
            assertEquals(arrivedNewestFirst, concat(up.reversed()));
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void theDefaultAndTheLargestLimitApplyToEveryPosition(Reader reader) {
            List<Long> order = expectedIds(5, null); // 57 messages
            long middle = order.get(28);
            // no limit: 20; around: 10 newer, the anchor, 9 older
            assertEquals(page(order.subList(29, 49), true, true), fetchPage(5, reader, body("before", middle)));
            assertEquals(page(order.subList(8, 28), true, true), fetchPage(5, reader, body("after", middle)));
            assertEquals(page(order.subList(18, 38), true, true), fetchPage(5, reader, body("around", middle)));
            // limit 100 covers the whole chat from anywhere
            assertEquals(page(order.subList(29, 57), false, true), fetchPage(5, reader, body("before", middle, "limit", 100)));
            assertEquals(page(order.subList(0, 28), true, false), fetchPage(5, reader, body("after", middle, "limit", 100)));
            assertEquals(page(order, false, false), fetchPage(5, reader, body("around", middle, "limit", 100)));
        }
    }

    // ------------------------------------------------------------------ one message, many messages

    @Nested
    class ChatEnds extends EmptyForEach {

        @ParameterizedTest
        @EnumSource(Reader.class)
        void aroundTheOnlyMessageIsItAloneAndBeforeOrAfterItIsEmptyWithTheAnchorBeyond(Reader reader) {
            long only = postAt(4, alice, T).id();
            assertEquals(page(List.of(), false, true), fetchPage(4, reader, body("before", only)));
            assertEquals(page(List.of(), true, false), fetchPage(4, reader, body("after", only)));
            assertEquals(page(List.of(only), false, false), fetchPage(4, reader, body("around", only)));
            assertEquals(page(List.of(only), false, false), fetchPage(4, reader, body("around", only, "limit", 1)));
        }

        @Test
        void aroundWithLimit100InALargerChatTakesFiftyNewerTheAnchorAndFortyNineOlderOnEveryRoute() {
            postRandomChat(7, 110, 30, 110);
            List<Long> order = expectedIds(7, null);
            long anchor = order.get(55); // 55 newer, 54 older
            for (Reader reader : Reader.values()) {
                assertEquals(page(order.subList(5, 105), true, true), fetchPage(7, reader, body("around", anchor, "limit", 100)),
                        reader.name());
                assertEquals(page(order.subList(56, 110), false, true), fetchPage(7, reader, body("before", anchor, "limit", 100)),
                        reader.name());
                assertEquals(page(order.subList(0, 55), true, false), fetchPage(7, reader, body("after", anchor, "limit", 100)),
                        reader.name());
                assertEquals(page(order.subList(1, 101), true, true), fetchPage(7, reader, body("before", order.get(0), "limit", 100)),
                        reader.name());
                assertEquals(page(order.subList(9, 109), true, true),
                        fetchPage(7, reader, body("after", order.get(109), "limit", 100)), reader.name());
            }
        }
    }

    // ------------------------------------------------------------------ both routes agree

    @Nested
    class BothRoutes extends EmptyForEach {

        @Test
        void anonymousAndApiReadersGetIdenticalAnswersForTheSameBody() {
            postTiedChat();
            List<ObjectNode> filters = List.of(body(), body("userId", alice.user().id()));
            int compared = 0;
            for (ObjectNode filter : filters) {
                for (long anchor : expectedIds(1, null)) {
                    for (int limit : new int[]{3}) {
                        for (Pos pos : Pos.values()) {
                            String body = with(filter, pos.field, anchor, "limit", limit).toString();
                            // the anonymous reader first: it marks nothing, and the API client's marks
                            // reach Redis before its answer is sent, so both see the same read flags
                            JsonNode fromRedis = withoutSource(fetch(1, Reader.ANONYMOUS, body), "redis");
                            JsonNode fromMysql = withoutSource(fetch(1, Reader.API, body), "mysql");
                            assertEquals(fromMysql, fromRedis, body);
                            compared++;
                        }
                    }
                }
            }
            assertEquals(2 * 12 * 3, compared);
        }

        @Test
        void aSignedInUserAndTheApiClientGetTheSamePagesApartFromReadFlags() {
            postTiedChat();
            for (long anchor : expectedIds(1, null)) {
                for (Pos pos : Pos.values()) {
                    String body = body(pos.field, anchor, "limit", 4).toString();
                    JsonNode fromRedis = withoutReadFlags(withoutSource(fetch(1, Reader.USER, body), "redis"));
                    JsonNode fromMysql = withoutReadFlags(withoutSource(fetch(1, Reader.API, body), "mysql"));
                    assertEquals(fromMysql, fromRedis, body);
                }
            }
        }
    }

    // ------------------------------------------------------------------ read marks per page

    @Nested
    class ReadMarksPerPage extends EmptyForEach {

        @ParameterizedTest
        @EnumSource(value = Reader.class, names = {"USER", "API"})
        void fetchingPageTwoMarksExactlyPageTwosMessagesOfOthers(Reader reader) {
            List<Long> m = postTiedChat();
            Page first = fetchPage(1, Reader.ANONYMOUS, body("limit", 4));
            assertEquals(m(m, 9, 8, 7, 6), first.ids());

            Reply second = fetch(1, reader, body("before", first.last(), "limit", 4).toString());
            assertEquals(m(m, 5, 10, 4, 3), ids(second, reader));
            assertEquals(List.of(false, false, false, false), readFlags(second), "a page shows the state before marking");

            assertMarkedExactly(Set.copyOf(m(m, 5, 10, 4, 3)), issued(reader));
        }

        @ParameterizedTest
        @EnumSource(value = Reader.class, names = {"USER", "API"})
        void anAroundPageAndAFilteredAfterPageMarkOnlyWhatTheyReturned(Reader reader) {
            List<Long> m = postTiedChat();
            assertEquals(m(m, 6, 5, 10), ids(fetch(1, reader, body("around", m.get(5), "limit", 3).toString()), reader));
            // alice's two just newer than 11 (bob's 1 in between is not hers, and is not marked)
            assertEquals(m(m, 4, 2), ids(fetch(1, reader,
                    body("userId", alice.user().id(), "after", m.get(11), "limit", 2).toString()), reader));
            assertMarkedExactly(Set.copyOf(m(m, 6, 5, 10, 4, 2)), issued(reader));
        }

        @ParameterizedTest
        @EnumSource(value = Reader.class, names = {"USER", "API"})
        void emptyPagesAndRefusedFetchesMarkNothing(Reader reader) {
            List<Long> m = postTiedChat();
            assertEquals(List.of(), ids(fetch(1, reader, body("before", m.get(0)).toString()), reader));
            assertEquals(List.of(), ids(fetch(1, reader, body("after", m.get(9)).toString()), reader));
            assertEquals(List.of(), ids(fetch(1, reader, body("userId", NOBODY, "around", m.get(5)).toString()), reader));
            assertError(fetch(1, reader, body("before", m.get(5), "after", m.get(4)).toString()), 400);
            assertError(fetch(1, reader, body("around", m.get(5) + 1000).toString()), 404);
            assertMarkedExactly(Set.of(), issued(reader));
        }

        @Test
        void anonymousPagesMarkNothing() {
            List<Long> m = postTiedChat();
            for (Pos pos : Pos.values()) {
                fetch(1, Reader.ANONYMOUS, body(pos.field, m.get(5), "limit", 5).toString());
            }
            assertMarkedExactly(Set.of(), null);
        }

        /**
         * After the relay has run, both stores show exactly these messages as read, less those the
         * reader wrote. Checked with the anonymous reader (Redis) first, which marks nothing, then
         * the API client (MySQL), whose answer shows the state before its own marks.
         */
        private void assertMarkedExactly(Set<Long> page, Authenticator.Issued reader) {
            stores.cache.readMarks().drain();
            List<Long> all = expectedIds(1, null);
            List<Boolean> expected = all.stream().map(id -> page.contains(id)
                    && (reader == null || authorOfMessage(id) != reader.user().id())).toList();
            String body = body("limit", 100).toString();
            Reply fromRedis = fetch(1, Reader.ANONYMOUS, body);
            assertEquals(all, ids(fromRedis, Reader.ANONYMOUS));
            assertEquals(expected, readFlags(fromRedis), "Redis");
            Reply fromMysql = fetch(1, Reader.API, body);
            assertEquals(all, ids(fromMysql, Reader.API));
            assertEquals(expected, readFlags(fromMysql), "MySQL");
        }
    }

    // ------------------------------------------------------------------ the model

    /** The ids of the chat's messages that match the author filter (null: everyone), newest first. */
    private List<Long> expectedIds(long chatId, Long author) {
        return matching(chatId, author).stream().map(Posted::id).toList();
    }

    private List<Posted> matching(long chatId, Long author) {
        return posted.stream()
                .filter(p -> p.chatId() == chatId && (author == null || p.userId() == author))
                .sorted(NEWEST_FIRST)
                .toList();
    }

    private long authorOfMessage(long id) {
        return posted.stream().filter(p -> p.id() == id).findFirst().orElseThrow().userId();
    }

    /**
     * The page the API documents for this position, from the posted messages: before X takes the
     * nearest older ones, after X the nearest newer ones; around X has X if it matches, then
     * ceil(rest/2) newer and floor(rest/2) older, a short side leaving its slots to the other.
     * Flags by their definition: any matching message beyond the newest / oldest returned; for an
     * empty page, relative to the anchor, the anchor included.
     */
    private Page expected(long chatId, Long author, Pos pos, long anchorId, int limit) {
        List<Posted> all = matching(chatId, author);
        Posted anchor = posted.stream().filter(p -> p.id() == anchorId).findFirst().orElseThrow();
        List<Posted> newer = all.stream().filter(p -> NEWEST_FIRST.compare(p, anchor) < 0).toList(); // newest first
        List<Posted> older = all.stream().filter(p -> NEWEST_FIRST.compare(p, anchor) > 0).toList(); // newest first
        boolean anchorMatches = author == null || anchor.userId() == author;

        List<Posted> page = new ArrayList<>();
        switch (pos) {
            case BEFORE -> page.addAll(older.subList(0, Math.min(limit, older.size())));
            case AFTER -> page.addAll(newer.subList(Math.max(0, newer.size() - limit), newer.size()));
            case AROUND -> {
                int rest = limit - (anchorMatches ? 1 : 0);
                int newerCount = Math.min(newer.size(), (rest + 1) / 2);
                int olderCount = Math.min(older.size(), rest - newerCount);
                newerCount = Math.min(newer.size(), rest - olderCount);
                page.addAll(newer.subList(newer.size() - newerCount, newer.size()));
                if (anchorMatches) {
                    page.add(anchor);
                }
                page.addAll(older.subList(0, olderCount));
            }
        }

        boolean hasOlder;
        boolean hasNewer;
        if (!page.isEmpty()) {
            Posted newest = page.get(0);
            Posted oldest = page.get(page.size() - 1);
            hasNewer = all.stream().anyMatch(p -> NEWEST_FIRST.compare(p, newest) < 0);
            hasOlder = all.stream().anyMatch(p -> NEWEST_FIRST.compare(p, oldest) > 0);
        } else {
            hasNewer = pos == Pos.BEFORE && all.stream().anyMatch(p -> NEWEST_FIRST.compare(p, anchor) <= 0);
            hasOlder = pos == Pos.AFTER && all.stream().anyMatch(p -> NEWEST_FIRST.compare(p, anchor) >= 0);
        }
        return new Page(page.stream().map(Posted::id).toList(), hasOlder, hasNewer);
    }

    // ------------------------------------------------------------------ walking helpers

    /** The latest page, then before the last id of each page until hasOlder is false. */
    private List<Page> walkDown(long chatId, Reader reader, ObjectNode filter, int limit, int messages) {
        Page latest = fetchPage(chatId, reader, with(filter, "limit", limit));
        assertFalse(latest.hasNewer(), "the latest page has nothing newer: " + latest);
        return walkDown(chatId, reader, filter, limit, latest, messages);
    }

    /** From this page, before the last id of each page until hasOlder is false; newest page first. */
    private List<Page> walkDown(long chatId, Reader reader, ObjectNode filter, int limit, Page start, int messages) {
        List<Page> pages = new ArrayList<>(List.of(start));
        Page page = start;
        while (page.hasOlder()) {
            assertFalse(page.ids().isEmpty(), "an empty page that has older messages: " + pages);
            page = fetchPage(chatId, reader, with(filter, "limit", limit, "before", page.last()));
            pages.add(page);
            assertTrue(pages.size() <= messages, "the walk down does not end: " + pages);
        }
        return pages;
    }

    /** From this page, after the first id of each page until hasNewer is false; oldest page first. */
    private List<Page> walkUp(long chatId, Reader reader, ObjectNode filter, int limit, Page start, int messages) {
        List<Page> pages = new ArrayList<>(List.of(start));
        Page page = start;
        while (page.hasNewer()) {
            assertFalse(page.ids().isEmpty(), "an empty page that has newer messages: " + pages);
            page = fetchPage(chatId, reader, with(filter, "limit", limit, "after", page.first()));
            pages.add(page);
            assertTrue(pages.size() <= messages, "the walk up does not end: " + pages);
        }
        return pages;
    }

    private static List<Long> concat(List<Page> pages) {
        List<Long> out = new ArrayList<>();
        pages.forEach(p -> out.addAll(p.ids()));
        return out;
    }

    // ------------------------------------------------------------------ HTTP helpers

    /** Posts a message at this time and records it for the expectations. */
    private Posted postAt(long chatId, Authenticator.Issued author, long at) {
        stores.clock.set(at);
        String text = "message " + posted.size() + " in chat " + chatId;
        stores.members(chatId, author.user());
        Reply reply = send("POST", "/chat/" + chatId + "/message", bearer(author),
                JSON.createObjectNode().put("message", text).toString());
        assertEquals(201, reply.status(), reply.body());
        JsonNode m = reply.json();
        assertEquals(at, java.time.Instant.parse(m.get("createdAt").textValue()).toEpochMilli());
        Posted p = new Posted(m.get("id").longValue(), chatId, author.user().id(), at);
        posted.add(p);
        return p;
    }

    /** A successful fetch as a page, after checking the answer's shape and which store answered. */
    private Page fetchPage(long chatId, Reader reader, ObjectNode body) {
        Reply reply = fetch(chatId, reader, body.toString());
        List<Long> ids = ids(reply, reader);
        assertEquals(Set.of("messages", "hasOlder", "hasNewer", "source", "eventId"), fieldNames(reply.json()), reply.body());
        assertTrue(reply.json().get("hasOlder").isBoolean() && reply.json().get("hasNewer").isBoolean(), reply.body());
        for (JsonNode m : reply.json().get("messages")) {
            assertEquals(chatId, m.get("chatId").longValue(), reply.body());
        }
        return new Page(ids, reply.json().get("hasOlder").booleanValue(), reply.json().get("hasNewer").booleanValue());
    }

    /** A JSON object of these field/value pairs. */
    private static ObjectNode body(Object... fieldsAndValues) {
        return with(JSON.createObjectNode(), fieldsAndValues);
    }

    /** A copy of this object with these field/value pairs added. */
    private static ObjectNode with(ObjectNode base, Object... fieldsAndValues) {
        ObjectNode node = base.deepCopy();
        for (int i = 0; i < fieldsAndValues.length; i += 2) {
            String field = (String) fieldsAndValues[i];
            Object value = fieldsAndValues[i + 1];
            if (value instanceof Long l) {
                node.put(field, l);
            } else if (value instanceof Integer n) {
                node.put(field, n);
            } else if (value instanceof Boolean b) {
                node.put(field, b);
            } else {
                throw new IllegalArgumentException(field + ": " + value);
            }
        }
        return node;
    }

    private static List<Boolean> readFlags(Reply reply) {
        assertEquals(200, reply.status(), reply.body());
        List<Boolean> out = new ArrayList<>();
        reply.json().get("messages").forEach(m -> {
            assertTrue(m.get("read").isBoolean(), m.toString());
            out.add(m.get("read").booleanValue());
        });
        return out;
    }

    /** The answer without its "source", after checking it, and without its "eventId" (where the stream stood: it moves with every mark). */
    private static JsonNode withoutSource(Reply reply, String expectedSource) {
        assertEquals(200, reply.status(), reply.body());
        assertEquals(expectedSource, reply.json().path("source").textValue(), reply.body());
        ObjectNode copy = reply.json().deepCopy();
        copy.remove("source");
        copy.remove("eventId");
        return copy;
    }

    private static JsonNode withoutReadFlags(JsonNode answer) {
        ObjectNode copy = answer.deepCopy();
        for (JsonNode m : (ArrayNode) copy.get("messages")) {
            ((ObjectNode) m).remove("read");
            ((ObjectNode) m).remove("readByMe"); // a member's own marker: HttpReadMarkersIT checks it
        }
        return copy;
    }

    private static String digitsMasked(String text) {
        String masked = text.replaceAll("\\d+", "#");
        assertNotEquals(text, masked, "expected numbers in " + text);
        return masked;
    }

}
