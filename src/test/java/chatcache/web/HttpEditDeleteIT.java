package chatcache.web;

import chatcache.core.Message;
import chatcache.message.Page;
import chatcache.query.Position;
import chatcache.query.SearchCriteria;
import chatcache.replication.CacheRebuild;
import chatcache.support.ExpectedPages;
import chatcache.support.Seeds;
import chatcache.support.TestClock;
import chatcache.user.Authenticator;
import chatcache.web.ApiClient.Reply;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static chatcache.web.ApiClient.assertError;
import static chatcache.web.ApiClient.fieldNames;
import static chatcache.web.ApiClient.bearer;
import static chatcache.web.ApiClient.messageBody;
import static chatcache.web.ApiClient.created;
import static chatcache.web.ApiClient.id;
import static chatcache.web.ApiClient.ok;
import static chatcache.web.ApiClient.messages;
import static chatcache.web.ApiClient.ids;
import static chatcache.web.ApiClient.texts;
import static chatcache.web.ApiClient.readFlags;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Editing and deleting over HTTP: PATCH and DELETE /chat/{chatId}/message/{messageId}, end to end
 * on the real web app over the real MariaDB and Redis+RediSearch. Every expectation comes from
 * what the test posted, edited and deleted; both read routes (Redis for anonymous and USER
 * readers, MySQL for API readers) must show the same result.
 */
class HttpEditDeleteIT extends LiveApp {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Reads numbers as written: 0.10000000000000000001 stays that. */
    private static final ObjectMapper EXACT = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();
    private static final long T = TestClock.START; // 2027-01-15T08:00:00.000Z

    private static final AtomicLong NEXT_CHAT = new AtomicLong(1_000);

    /** The three paging anchors. */
    enum Anchor {
        BEFORE("before"), AFTER("after"), AROUND("around");

        final String field;

        Anchor(String field) {
            this.field = field;
        }
    }

    /** A chat no other test of this JVM uses: how the tests of a {@link SharedStores} class keep out of each other's way. */
    private static long freshChat() {
        long chat = NEXT_CHAT.incrementAndGet();
        stores.members(chat);
        return chat;
    }

    // ------------------------------------------------------------------ editing

    @Nested
    class Editing extends EmptyForEach {

        @Test
        void anEditAnswers200WithTheMessageShowingTheNewTextAndNothingElseChanged() {
            stores.clock.set(T);
            ObjectNode data = JSON.createObjectNode().put("kind", "note");
            data.putArray("list").add(1).add("two");
            JsonNode posted = created(postAsMember(1, alice, messageBody("before the edit", data)));

            stores.clock.set(T + 60_000); // an edit later in time changes no timestamp
            Reply reply = edit(1, posted.get("id").longValue(), alice, textBody("after the edit"));

            JsonNode edited = ok(reply);
            assertEquals(Set.of("id", "chatId", "userId", "message", "createdAt", "data", "read"), fieldNames(edited));
            assertEquals(withText(posted, "after the edit"), edited);
            assertEquals("2027-01-15T08:00:00.000Z", edited.get("createdAt").textValue());
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void afterAnEditEveryReadRouteShowsTheNewText(Reader reader) {
            stores.clock.set(T);
            JsonNode older = created(postAsMember(1, bob, messageBody("bob's, untouched", null)));
            stores.clock.set(T + 1);
            JsonNode posted = created(postAsMember(1, alice, messageBody("original", null)));
            stores.clock.set(T + 2);
            JsonNode newer = created(postAsMember(1, bob, messageBody("bob's newer, untouched", null)));

            JsonNode edited = ok(edit(1, posted.get("id").longValue(), alice, textBody("edited 😀 текст")));

            assertEquals(List.of(newer, edited, older), messages(fetch(1, reader, null), reader.source));
        }

        @Test
        void bothReadRoutesAgreeWithTheEditAnswer() {
            JsonNode posted = created(postAsMember(1, alice, messageBody("original", JSON.createObjectNode().put("k", 1))));
            JsonNode edited = ok(edit(1, posted.get("id").longValue(), alice, textBody("edited")));

            // anonymous first: it marks nothing, so the API client still sees the stored state
            assertEquals(List.of(edited), messages(fetch(1, Reader.ANONYMOUS, null), "redis"));
            assertEquals(List.of(edited), messages(fetch(1, Reader.API, null), "mysql"));
        }

        @Test
        void anEditKeepsDataExactlyAsWrittenOnBothRoutes() {
            String data = "{\"tiny\":0.10000000000000000001,\"big\":1e2,\"deep\":{\"list\":[1,\"x\",null,{\"k\":true}]},\"s\":\"\\u00e9😀\"}";
            long id = id(postAsMember(1, alice, "{\"message\":\"with data\",\"data\":" + data + "}"));
            JsonNode before = dataExactly(fetch(1, Reader.ANONYMOUS, null));
            assertEquals("0.10000000000000000001", before.get("tiny").decimalValue().toPlainString());

            ok(edit(1, id, alice, textBody("with data, edited")));

            assertEquals(before, dataExactly(fetch(1, Reader.ANONYMOUS, null)));
            assertEquals(before, dataExactly(fetch(1, Reader.API, null)));
        }

        @Test
        void aMessageCanBeEditedManyTimesAndTheLastTextWins() {
            long id = id(postAsMember(1, alice, messageBody("v0", null)));
            for (int i = 1; i <= 5; i++) {
                assertEquals("v" + i, ok(edit(1, id, alice, textBody("v" + i))).get("message").textValue());
            }
            assertEquals(List.of("v5"), texts(fetch(1, Reader.ANONYMOUS, null), Reader.ANONYMOUS));
            assertEquals(List.of("v5"), texts(fetch(1, Reader.API, null), Reader.API));
        }

        @Test
        void anEditToTheSameTextIsAccepted() {
            JsonNode posted = created(postAsMember(1, alice, messageBody("same", null)));
            assertEquals(posted, ok(edit(1, posted.get("id").longValue(), alice, textBody("same"))));
            assertEquals(List.of(posted), messages(fetch(1, Reader.ANONYMOUS, null), "redis"));
        }

        @Test
        void anEditKeepsTheMessageInItsPlaceAmongMessagesOfTheSameMillisecond() {
            stores.clock.set(T);
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ids.add(id(postAsMember(1, i % 2 == 0 ? alice : bob, messageBody("tied " + i, null))));
            }
            stores.clock.set(T + 1_000);
            ok(edit(1, ids.get(2), alice, textBody("edited, still third oldest")));
            ok(edit(1, ids.get(0), alice, textBody("edited, still oldest")));

            List<Long> newestFirst = ids.reversed();
            for (Reader reader : Reader.values()) {
                assertEquals(newestFirst, ids(fetch(1, reader, null), reader), reader.name());
                assertEquals(List.of(ids.get(1)), ids(fetch(1, reader,
                        "{\"limit\":1,\"after\":" + ids.get(0) + "}"), reader), reader.name());
            }
        }

        @Test
        void aMessageReadOnTheRedisRouteStaysReadAfterAnEdit() {
            long id = id(postAsMember(1, alice, messageBody("to be read by bob", null)));
            assertEquals(List.of(false), readFlags(fetch(1, Reader.USER, null), Reader.USER)); // marks it read
            stores.cache.readMarks().drain();

            JsonNode edited = ok(edit(1, id, alice, textBody("edited after bob read it")));
            assertTrue(edited.get("read").booleanValue(), edited.toString());

            assertEquals(List.of(edited), messages(fetch(1, Reader.ANONYMOUS, null), "redis"));
            assertEquals(List.of(edited), messages(fetch(1, Reader.USER, null), "redis"));
            assertEquals(List.of(edited), messages(fetch(1, Reader.API, null), "mysql"));
        }

        @Test
        void aMessageReadOnTheMysqlRouteStaysReadAfterAnEdit() {
            long id = id(postAsMember(1, alice, messageBody("to be read by the api client", null)));
            assertEquals(List.of(false), readFlags(fetch(1, Reader.API, null), Reader.API)); // marks it read

            JsonNode edited = ok(edit(1, id, alice, textBody("edited after the api client read it")));
            assertTrue(edited.get("read").booleanValue(), edited.toString());

            assertEquals(List.of(edited), messages(fetch(1, Reader.ANONYMOUS, null), "redis"));
            assertEquals(List.of(edited), messages(fetch(1, Reader.API, null), "mysql"));
        }

        @Test
        void anEditKeepsAnUnreadMessageUnread() {
            long id = id(postAsMember(1, alice, messageBody("nobody read this", null)));
            JsonNode edited = ok(edit(1, id, alice, textBody("still nobody read this")));
            assertEquals(false, edited.get("read").booleanValue());
            assertEquals(List.of(false), readFlags(fetch(1, Reader.ANONYMOUS, null), Reader.ANONYMOUS));
            assertEquals(List.of(false), readFlags(fetch(1, Reader.API, null), Reader.API));
        }

        @Test
        void anEditRightAfterAUserReadItKeepsItReadInBothStores() {
            // bob's read mark is in Redis; MySQL receives it only when the read-mark stream is drained
            long id = id(postAsMember(1, alice, messageBody("read by bob a moment ago", null)));
            fetch(1, Reader.USER, null);

            ok(edit(1, id, alice, textBody("edited before the mark reached MySQL")));
            assertEquals(List.of(true), readFlags(fetch(1, Reader.ANONYMOUS, null), Reader.ANONYMOUS));
            stores.cache.readMarks().drain();
            stores.cache.cacheRelay().drain();

            assertEquals(List.of(true), readFlags(fetch(1, Reader.ANONYMOUS, null), Reader.ANONYMOUS));
            assertEquals(List.of(true), readFlags(fetch(1, Reader.API, null), Reader.API));
            assertEquals(List.of(), stores.cache.rebuild().verify(Optional.empty(), CacheRebuild.Progress.NONE));
        }

        @Test
        void theEditAnswerShowsAMessageAsReadWhenAUserReadItMomentsBefore() {
            long id = id(postAsMember(1, alice, messageBody("read by bob a moment ago", null)));
            fetch(1, Reader.USER, null); // bob reads: the message is read, and every Redis reader sees it so
            assertEquals(List.of(true), readFlags(fetch(1, Reader.ANONYMOUS, null), Reader.ANONYMOUS));

            // before the read-mark stream has carried bob's mark to MySQL
            JsonNode edited = ok(edit(1, id, alice, textBody("edited before the mark reached MySQL")));

            assertTrue(edited.get("read").booleanValue(),
                    "the edit answered the message as unread although bob had read it: " + edited);
        }

        @Test
        void anApiClientMayEditItsOwnMessage() {
            JsonNode posted = created(postAsMember(1, api, messageBody("by the api client", null)));
            JsonNode edited = ok(edit(1, posted.get("id").longValue(), api, textBody("edited by the api client")));
            assertEquals(withText(posted, "edited by the api client"), edited);
            assertEquals(List.of(edited), messages(fetch(1, Reader.ANONYMOUS, null), "redis"));
            assertEquals(List.of(edited), messages(fetch(1, Reader.API, null), "mysql"));
        }

        @Test
        void anEditInOneChatLeavesOtherChatsUntouched() {
            stores.clock.set(T);
            JsonNode inOne = created(postAsMember(1, alice, messageBody("in chat 1", null)));
            JsonNode inTwo = created(postAsMember(2, alice, messageBody("in chat 2, same author and millisecond", null)));
            JsonNode edited = ok(edit(1, inOne.get("id").longValue(), alice, textBody("edited in chat 1")));

            assertEquals(List.of(edited), messages(fetch(1, Reader.ANONYMOUS, null), "redis"));
            assertUnchanged(2, inTwo);
        }

        @Test
        void anEditOfExactly4000CodePointsIsAccepted() {
            long id = id(postAsMember(1, alice, messageBody("short", null)));
            String emoji = "\uD83D\uDE00"; // one code point, two UTF-16 units

            String ascii = "a".repeat(4000);
            assertEquals(ascii, ok(edit(1, id, alice, textBody(ascii))).get("message").textValue());

            String longest = emoji.repeat(4000); // 8000 UTF-16 units
            JsonNode edited = ok(edit(1, id, alice, textBody(longest)));
            assertEquals(longest, edited.get("message").textValue());
            assertEquals(List.of(edited), messages(fetch(1, Reader.ANONYMOUS, null), "redis"));
            assertEquals(List.of(edited), messages(fetch(1, Reader.API, null), "mysql"));
        }

        @Test
        void editedTextInManyScriptsRoundTripsExactlyOnBothRoutes() {
            String text = "Привет 你好 こんにちは 😀👍🏽👨‍👩‍👧 مرحبا \u200Frtl\u200E\nline 2\r\n\t\"q\" 'q' \\ / <b>&amp;</b> e\u0301 \uFEFF"
                    + " @chatId:{2} | '; DROP TABLE messages; --";
            long id = id(postAsMember(1, alice, messageBody("plain", null)));
            JsonNode edited = ok(edit(1, id, alice, textBody(text)));
            assertEquals(text, edited.get("message").textValue());
            assertEquals(List.of(edited), messages(fetch(1, Reader.ANONYMOUS, null), "redis"));
            assertEquals(List.of(edited), messages(fetch(1, Reader.API, null), "mysql"));
        }
    }

    // ------------------------------------------------------------------ refused edits

    /** Refused edits change nothing, so these tests share the stores; each posts to a chat of its own. */
    @Nested
    class RefusedEdits extends SharedStores {

        @Test
        void anotherUserMayNotEditAndTheMessageIsUnchanged() {
            long chat = freshChat();
            JsonNode posted = created(postAsMember(chat, alice, messageBody("alice's words", null)));
            assertError(edit(chat, posted.get("id").longValue(), bob, textBody("bob's words")), 403);
            assertUnchanged(chat, posted);
        }

        @Test
        void anApiClientMayNotEditAnotherAuthorsMessage() {
            long chat = freshChat();
            JsonNode posted = created(postAsMember(chat, alice, messageBody("alice's words", null)));
            assertError(edit(chat, posted.get("id").longValue(), api, textBody("the api's words")), 403);
            assertUnchanged(chat, posted);
        }

        @Test
        void aUserMayNotEditTheApiClientsMessage() {
            long chat = freshChat();
            JsonNode posted = created(postAsMember(chat, api, messageBody("the api's words", null)));
            assertError(edit(chat, posted.get("id").longValue(), alice, textBody("alice's words")), 403);
            assertUnchanged(chat, posted);
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "<none>",                    // no Authorization header
                "Bearer not-a-known-token",
                "Bearer {token}x",           // the author's token with one character more
                "Basic {token}",
                "{token}",
                "Bearer ",
                "",
        })
        void editingWithoutAValidBearerTokenIsRefusedWith401(String header) {
            long chat = freshChat();
            JsonNode posted = created(postAsMember(chat, alice, messageBody("alice's words", null)));
            Reply reply = send("PATCH", "/chat/" + chat + "/message/" + posted.get("id").longValue(),
                    authorization(header), textBody("should not be stored"));
            assertError(reply, 401);
            assertUnchanged(chat, posted);
        }

        @Test
        void editingAnUnknownMessageAnswers404() {
            long chat = freshChat();
            JsonNode posted = created(postAsMember(chat, alice, messageBody("exists", null)));
            long id = posted.get("id").longValue();
            assertError(edit(chat, id + 1_000_000, alice, textBody("x")), 404);
            assertError(edit(chat, Long.MAX_VALUE, alice, textBody("x")), 404);
            assertError(edit(chat, Long.MAX_VALUE, api, textBody("x")), 404);
            assertUnchanged(chat, posted);
        }

        @ParameterizedTest
        @EnumSource(value = Reader.class, names = {"USER", "API"})
        void editingAMessageThroughAnotherChatAnswers404AndChangesNothing(Reader as) {
            Authenticator.Issued author = as == Reader.API ? api : alice;
            long home = freshChat();
            long other = freshChat();
            long empty = freshChat();
            JsonNode inHome = created(postAsMember(home, author, messageBody("lives in its home chat", null)));
            JsonNode inOther = created(postAsMember(other, author, messageBody("lives in the other chat", null)));

            assertError(edit(other, inHome.get("id").longValue(), author, textBody("through the other chat")), 404);
            assertError(edit(empty, inHome.get("id").longValue(), author, textBody("through an empty chat")), 404);

            assertUnchanged(home, inHome);
            assertUnchanged(other, inOther);
            assertEquals(List.of(), messages(fetch(empty, Reader.ANONYMOUS, null), "redis"));
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "<none>",                                   // missing body
                "",
                "   ",
                "{",
                "{\"message\":",
                "[1]",
                "[{\"message\":\"in an array\"}]",
                "\"just a string\"",
                "null",
                "{}",
                "{\"message\":null}",
                "{\"message\":5}",
                "{\"message\":true}",
                "{\"message\":{}}",
                "{\"message\":[\"hi\"]}",
                "{\"message\":\"\"}",
                "{\"message\":\" \"}",
                "{\"message\":\" \\t\\r\\n \"}",
                "{\"message\":\"\\u3000\"}",                 // ideographic space only
                "{\"message\":\"\\u200b\"}",                 // zero-width space only
                "{\"message\":\"\\ud800x\"}",                // unpaired high surrogate
                "{\"message\":\"x\\udc00\"}",                // unpaired low surrogate
                "{\"message\":\"\\ude00\\ud83d\"}",          // a pair in the wrong order
                "{\"message\":\"a\",\"message\":\"b\"}",    // duplicate key
                "{\"message\":\"hi\",\"data\":{}}",          // data cannot be edited
                "{\"message\":\"hi\",\"data\":null}",
                "{\"message\":\"hi\",\"extra\":1}",
                "{\"message\":\"hi\",\"read\":true}",
                "{\"message\":\"hi\",\"chatId\":2}",
                "{\"text\":\"hi\"}",
                "{\"message\":\"hi\"} trailing",
                "{\"message\":\"hi\"}{\"message\":\"again\"}",
                "{'message':'single quotes'}",
        })
        void anInvalidEditBodyIsRefusedWith400AndTheMessageIsUnchanged(String raw) {
            long chat = freshChat();
            JsonNode posted = created(postAsMember(chat, alice, messageBody("original", JSON.createObjectNode().put("k", "v"))));
            assertError(edit(chat, posted.get("id").longValue(), alice, raw.equals("<none>") ? null : raw), 400);
            assertUnchanged(chat, posted);
        }

        @Test
        void anEditLongerThan4000CodePointsIsRefusedWith400() {
            long chat = freshChat();
            JsonNode posted = created(postAsMember(chat, alice, messageBody("short", null)));
            long id = posted.get("id").longValue();
            String emoji = "\uD83D\uDE00"; // one code point, two UTF-16 units
            assertError(edit(chat, id, alice, textBody("a".repeat(4001))), 400);
            assertError(edit(chat, id, alice, textBody(emoji.repeat(4001))), 400);
            assertError(edit(chat, id, alice, textBody(emoji.repeat(4000) + "a")), 400);
            assertError(edit(chat, id, alice, textBody("a".repeat(70_000))), 413); // beyond the request limit
            assertUnchanged(chat, posted);
        }

        @ParameterizedTest
        @ValueSource(strings = {"0", "00", "-1", "abc", "+5", "1.5", "0x1F", "99999999999999999999", "9223372036854775808"})
        void editingWithAMessageIdThatIsNotAPositiveLongIsRefusedWith400(String messageId) {
            long chat = freshChat();
            JsonNode posted = created(postAsMember(chat, alice, messageBody("original", null)));
            assertError(send("PATCH", "/chat/" + chat + "/message/" + messageId, bearer(alice), textBody("x")), 400);
            assertUnchanged(chat, posted);
        }

        @ParameterizedTest
        @ValueSource(strings = {"0", "00", "-1", "abc", "+1", "1.5", "99999999999999999999", "9223372036854775808"})
        void editingWithAChatIdThatIsNotAPositiveLongIsRefusedWith400(String chatId) {
            long chat = freshChat();
            JsonNode posted = created(postAsMember(chat, alice, messageBody("original", null)));
            assertError(send("PATCH", "/chat/" + chatId + "/message/" + posted.get("id").longValue(),
                    bearer(alice), textBody("x")), 400);
            assertUnchanged(chat, posted);
        }
    }

    // ------------------------------------------------------------------ deleting

    @Nested
    class Deleting extends EmptyForEach {

        @Test
        void aDeleteByTheAuthorAnswers204WithNoBody() {
            long id = id(postAsMember(1, alice, messageBody("to go", null)));
            Reply reply = delete(1, id, alice);
            assertEquals(204, reply.status(), reply.body());
            assertEquals("", reply.body());
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void aDeletedMessageIsGoneFromEveryReadRoute(Reader reader) {
            stores.clock.set(T);
            JsonNode older = created(postAsMember(1, bob, messageBody("older", null)));
            stores.clock.set(T + 1);
            long doomed = id(postAsMember(1, alice, messageBody("doomed", null)));
            stores.clock.set(T + 2);
            JsonNode newer = created(postAsMember(1, bob, messageBody("newer", null)));

            assertEquals(204, delete(1, doomed, alice).status());

            assertEquals(List.of(newer, older), messages(fetch(1, reader, null), reader.source));
        }

        @Test
        void anApiClientMayDeleteAnyonesMessage() {
            long byAlice = id(postAsMember(1, alice, messageBody("alice's", null)));
            long byBob = id(postAsMember(1, bob, messageBody("bob's", null)));
            JsonNode kept = created(postAsMember(1, alice, messageBody("kept", null)));

            assertEquals(204, delete(1, byAlice, api).status());
            assertEquals(204, delete(1, byBob, api).status());

            assertEquals(List.of(kept), messages(fetch(1, Reader.ANONYMOUS, null), "redis"));
            assertEquals(List.of(kept), messages(fetch(1, Reader.API, null), "mysql"));
        }

        @Test
        void anApiClientMayDeleteItsOwnMessage() {
            long id = id(postAsMember(1, api, messageBody("the api's", null)));
            assertEquals(204, delete(1, id, api).status());
            assertEquals(List.of(), messages(fetch(1, Reader.ANONYMOUS, null), "redis"));
            assertEquals(List.of(), messages(fetch(1, Reader.API, null), "mysql"));
        }

        @Test
        void deletingTwiceAnswers404TheSecondTime() {
            long id = id(postAsMember(1, alice, messageBody("once", null)));
            assertEquals(204, delete(1, id, alice).status());
            assertError(delete(1, id, alice), 404);
            assertError(delete(1, id, api), 404);
        }

        @Test
        void aDeletedMessageCannotBeEdited() {
            long id = id(postAsMember(1, alice, messageBody("once", null)));
            assertEquals(204, delete(1, id, api).status());
            assertError(edit(1, id, alice, textBody("too late")), 404);
            assertEquals(List.of(), messages(fetch(1, Reader.ANONYMOUS, null), "redis"));
            assertEquals(List.of(), messages(fetch(1, Reader.API, null), "mysql"));
        }

        @Test
        void aDeleteInOneChatLeavesOtherChatsUntouched() {
            stores.clock.set(T);
            long inOne = id(postAsMember(1, alice, messageBody("in chat 1", null)));
            JsonNode inTwo = created(postAsMember(2, alice, messageBody("in chat 2, same author and millisecond", null)));
            JsonNode inTen = created(postAsMember(10, alice, messageBody("in chat 10, same author and millisecond", null)));
            assertEquals(204, delete(1, inOne, alice).status());

            assertEquals(List.of(inTwo), messages(fetch(2, Reader.ANONYMOUS,
                    "{\"userId\":" + alice.user().id() + "}"), "redis"));
            assertEquals(List.of(), messages(fetch(1, Reader.ANONYMOUS, null), "redis"));
            assertEquals(List.of(), messages(fetch(1, Reader.API, null), "mysql"));
            assertUnchanged(2, inTwo);
            assertUnchanged(10, inTen);
        }

        @Test
        void aReadMarkStillOnItsWayToMysqlDoesNotBringADeletedMessageBack() {
            long id = id(postAsMember(1, alice, messageBody("read by bob, then deleted", null)));
            JsonNode kept = created(postAsMember(1, alice, messageBody("kept", null)));
            fetch(1, Reader.USER, null); // marks both read in Redis; MySQL has not applied the marks yet
            assertEquals(204, delete(1, id, alice).status());

            stores.cache.readMarks().drain();
            stores.cache.cacheRelay().drain();

            assertEquals(List.of(kept.get("id").longValue()), ids(fetch(1, Reader.ANONYMOUS, null), Reader.ANONYMOUS));
            assertEquals(List.of(kept.get("id").longValue()), ids(fetch(1, Reader.API, null), Reader.API));
            assertEquals(List.of(), stores.cache.rebuild().verify(Optional.empty(), CacheRebuild.Progress.NONE));
        }
    }

    // ------------------------------------------------------------------ refused deletes

    /** Refused deletes change nothing, so these tests share the stores; each posts to a chat of its own. */
    @Nested
    class RefusedDeletes extends SharedStores {

        @Test
        void anotherUserMayNotDeleteAndTheMessageStays() {
            long chat = freshChat();
            JsonNode byAlice = created(postAsMember(chat, alice, messageBody("alice's", null)));
            assertError(delete(chat, byAlice.get("id").longValue(), bob), 403);
            assertUnchanged(chat, byAlice);
        }

        @Test
        void aUserMayNotDeleteTheApiClientsMessage() {
            long chat = freshChat();
            JsonNode byApi = created(postAsMember(chat, api, messageBody("the api's", null)));
            assertError(delete(chat, byApi.get("id").longValue(), alice), 403);
            assertUnchanged(chat, byApi);
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "<none>",                    // no Authorization header
                "Bearer not-a-known-token",
                "Bearer {token}x",           // the author's token with one character more
                "Basic {token}",
                "{token}",
                "Bearer ",
                "",
        })
        void deletingWithoutAValidBearerTokenIsRefusedWith401(String header) {
            long chat = freshChat();
            JsonNode posted = created(postAsMember(chat, alice, messageBody("alice's", null)));
            assertError(send("DELETE", "/chat/" + chat + "/message/" + posted.get("id").longValue(),
                    authorization(header), null), 401);
            assertUnchanged(chat, posted);
        }

        @Test
        void deletingAnUnknownMessageAnswers404() {
            long chat = freshChat();
            JsonNode posted = created(postAsMember(chat, alice, messageBody("exists", null)));
            long id = posted.get("id").longValue();
            assertError(delete(chat, id + 1_000_000, alice), 404);
            assertError(delete(chat, id + 1_000_000, api), 404);
            assertError(delete(chat, Long.MAX_VALUE, api), 404);
            assertUnchanged(chat, posted);
        }

        @ParameterizedTest
        @EnumSource(value = Reader.class, names = {"USER", "API"})
        void deletingAMessageThroughAnotherChatAnswers404AndLeavesItInPlace(Reader as) {
            Authenticator.Issued caller = as == Reader.API ? api : alice;
            long home = freshChat();
            long other = freshChat();
            long empty = freshChat();
            JsonNode inHome = created(postAsMember(home, alice, messageBody("lives in its home chat", null)));
            JsonNode inOther = created(postAsMember(other, alice, messageBody("lives in the other chat", null)));

            assertError(delete(other, inHome.get("id").longValue(), caller), 404);
            assertError(delete(empty, inHome.get("id").longValue(), caller), 404);

            assertUnchanged(home, inHome);
            assertUnchanged(other, inOther);
        }

        @ParameterizedTest
        @ValueSource(strings = {"0", "00", "-1", "abc", "+5", "1.5", "0x1F", "99999999999999999999", "9223372036854775808"})
        void deletingWithAMessageIdThatIsNotAPositiveLongIsRefusedWith400(String messageId) {
            long chat = freshChat();
            JsonNode posted = created(postAsMember(chat, alice, messageBody("stays", null)));
            assertError(send("DELETE", "/chat/" + chat + "/message/" + messageId, bearer(api), null), 400);
            assertError(send("DELETE", "/chat/" + chat + "/message/" + messageId, bearer(alice), null), 400);
            assertUnchanged(chat, posted);
        }

        @ParameterizedTest
        @ValueSource(strings = {"0", "00", "-1", "abc", "+1", "1.5", "99999999999999999999", "9223372036854775808"})
        void deletingWithAChatIdThatIsNotAPositiveLongIsRefusedWith400(String chatId) {
            long chat = freshChat();
            JsonNode posted = created(postAsMember(chat, alice, messageBody("stays", null)));
            assertError(send("DELETE", "/chat/" + chatId + "/message/" + posted.get("id").longValue(), bearer(api), null), 400);
            assertUnchanged(chat, posted);
        }
    }

    // ------------------------------------------------------------------ paging after deletes

    @Nested
    class PagingAfterDeletes extends SharedStores {

        /**
         * Six messages in chat 1, then the newest, one in the middle and the oldest deleted:
         * <pre>
         *  index   0  1   2   3   4   5
         *  time    T  +1  +1  +1  +2  +2
         *  author  a  b   a   b   a   b
         *  deleted x      x           x
         * </pre>
         * leaving 4 3 1, newest first; plus a decoy in chat 2 at every millisecond. Posted once;
         * the tests only read (signed-in readers mark messages read, which no test here looks at).
         */
        private List<Long> m;

        @BeforeAll
        void postAndDelete() {
            long[] times = {T, T + 1, T + 1, T + 1, T + 2, T + 2};
            m = new ArrayList<>();
            for (int i = 0; i < times.length; i++) {
                stores.clock.set(times[i]);
                m.add(id(postAsMember(1, i % 2 == 0 ? alice : bob, messageBody("m" + i, null))));
                postAsMember(2, alice, messageBody("decoy " + i, null));
            }
            assertEquals(204, delete(1, m.get(5), bob).status());
            assertEquals(204, delete(1, m.get(2), api).status());
            assertEquals(204, delete(1, m.get(0), alice).status());
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void theRemainingMessagesKeepTheirOrder(Reader reader) {
            assertEquals(new PageView(List.of(m.get(4), m.get(3), m.get(1)), false, false), page(1, reader, null));
            assertEquals(List.of("m4", "m3", "m1"), texts(fetch(1, reader, "{\"limit\":100}"), reader));
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void pagingFlagsStayExactAroundTheGaps(Reader reader) {
            assertEquals(new PageView(List.of(m.get(4), m.get(3)), true, false), page(1, reader, "{\"limit\":2}"));
            assertEquals(new PageView(List.of(m.get(4), m.get(3), m.get(1)), false, false), page(1, reader, "{\"limit\":3}"));
            assertEquals(new PageView(List.of(m.get(1)), false, true),
                    page(1, reader, "{\"limit\":5,\"before\":" + m.get(3) + "}"));
            assertEquals(new PageView(List.of(), false, true),
                    page(1, reader, "{\"limit\":5,\"before\":" + m.get(1) + "}"));
            assertEquals(new PageView(List.of(m.get(4)), true, false),
                    page(1, reader, "{\"limit\":5,\"after\":" + m.get(3) + "}"));
            assertEquals(new PageView(List.of(m.get(3)), true, true),
                    page(1, reader, "{\"limit\":1,\"after\":" + m.get(1) + "}"));
            assertEquals(new PageView(List.of(), true, false),
                    page(1, reader, "{\"limit\":5,\"after\":" + m.get(4) + "}"));
            assertEquals(new PageView(List.of(m.get(4), m.get(3), m.get(1)), false, false),
                    page(1, reader, "{\"limit\":3,\"around\":" + m.get(3) + "}"));
            assertEquals(new PageView(List.of(m.get(3)), true, true),
                    page(1, reader, "{\"limit\":1,\"around\":" + m.get(3) + "}"));
            assertEquals(new PageView(List.of(m.get(3), m.get(1)), false, false),
                    page(1, reader, "{\"limit\":2,\"userId\":" + bob.user().id() + "}"));
            assertEquals(new PageView(List.of(m.get(4)), false, false),
                    page(1, reader, "{\"limit\":2,\"userId\":" + alice.user().id() + "}"));
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void aDeletedMessageAsAPagingAnchorAnswers404(Reader reader) {
            for (int deleted : new int[]{0, 2, 5}) {
                for (Anchor anchor : Anchor.values()) {
                    assertError(fetch(1, reader, "{\"" + anchor.field + "\":" + m.get(deleted) + "}"), 404);
                    assertError(fetch(1, reader, "{\"limit\":1,\"" + anchor.field + "\":" + m.get(deleted) + "}"), 404);
                }
            }
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void theOtherChatIsUntouched(Reader reader) {
            assertEquals(6, ids(fetch(2, reader, null), reader).size());
            assertEquals(6, ids(fetch(2, reader, "{\"userId\":" + alice.user().id() + "}"), reader).size());
        }
    }

    // ------------------------------------------------------------------ parity after random changes

    @Nested
    class Parity extends EmptyForEach {
        private static final int OPERATIONS = 60;
        private static final long[] CHATS = {1, 2};

        @Test
        void afterRandomPostsEditsAndDeletesBothRoutesAnswerTheSamePages() {
            long seed = Seeds.announced("HttpEditDeleteIT parity");
            Random random = new Random(seed);
            List<Authenticator.Issued> actors = List.of(alice, bob, api);

            Map<Long, JsonNode> live = new LinkedHashMap<>();   // by id, as the stores should hold them
            List<Long> deleted = new ArrayList<>();
            int posts = 0;
            int edits = 0;
            int deletes = 0;
            for (int op = 0; op < OPERATIONS; op++) {
                String where = "seed " + seed + ", operation " + op;
                Authenticator.Issued actor = actors.get(random.nextInt(actors.size()));
                int kind = live.isEmpty() ? 0 : random.nextInt(10);
                if (kind < 4) {
                    // times within a few milliseconds, sometimes back in time: ties and ids out of time order
                    stores.clock.set(T + random.nextInt(8));
                    long chat = CHATS[random.nextInt(CHATS.length)];
                    JsonNode posted = created(postAsMember(chat, actor, messageBody("post " + op + " by " + actor.user().name(), null)));
                    live.put(posted.get("id").longValue(), posted);
                    posts++;
                } else if (kind < 7) {
                    JsonNode target = pickLive(random, live);
                    long id = target.get("id").longValue();
                    long chat = target.get("chatId").longValue();
                    if (random.nextInt(4) != 0) {
                        actor = authorOf(target, actors); // mostly the author, who may edit
                    }
                    String text = "edit " + op + " 😀 by " + actor.user().name();
                    stores.clock.advance(1);
                    if (random.nextInt(8) == 0) {
                        assertError(edit(otherChat(chat), id, actor, textBody(text)), 404, where);
                    } else if (actor.user().id() == target.get("userId").longValue()) {
                        JsonNode edited = ok(edit(chat, id, actor, textBody(text)));
                        assertEquals(withText(target, text), edited, where);
                        live.put(id, edited);
                        edits++;
                    } else {
                        assertError(edit(chat, id, actor, textBody(text)), 403, where);
                    }
                } else if (kind < 9 || deleted.isEmpty()) {
                    JsonNode target = pickLive(random, live);
                    long id = target.get("id").longValue();
                    long chat = target.get("chatId").longValue();
                    if (random.nextInt(4) != 0) {
                        actor = random.nextBoolean() ? api : authorOf(target, actors); // mostly one who may delete
                    }
                    if (random.nextInt(8) == 0) {
                        assertError(delete(otherChat(chat), id, actor), 404, where);
                    } else if (actor == api || actor.user().id() == target.get("userId").longValue()) {
                        Reply reply = delete(chat, id, actor);
                        assertEquals(204, reply.status(), where + ": " + reply.body());
                        assertEquals("", reply.body(), where);
                        live.remove(id);
                        deleted.add(id);
                        deletes++;
                    } else {
                        assertError(delete(chat, id, actor), 403, where);
                    }
                } else {
                    long gone = deleted.get(random.nextInt(deleted.size()));
                    assertError(delete(CHATS[random.nextInt(CHATS.length)], gone, api), 404, where);
                    assertError(edit(CHATS[random.nextInt(CHATS.length)], gone, actor, textBody("gone")), 404, where);
                }
            }
            System.out.println("HttpEditDeleteIT parity: " + posts + " posts, " + edits + " edits, "
                    + deletes + " deletes, " + live.size() + " messages left");

            List<Message> all = live.values().stream().map(HttpEditDeleteIT::toMessage).toList();

            // 1. the whole of each chat, as the model says, before any reader marks anything
            for (long chat : new long[]{1, 2, 3}) {
                List<JsonNode> expected = all.stream().filter(m -> m.chatId() == chat)
                        .sorted(ExpectedPages.NEWEST_FIRST).map(m -> live.get(m.id())).toList();
                assertEquals(expected, messages(fetch(chat, Reader.ANONYMOUS, "{\"limit\":100}"), "redis"),
                        "seed " + seed + ", chat " + chat + " from Redis");
                assertEquals(expected, messages(fetch(chat, Reader.API, "{\"limit\":100}"), "mysql"),
                        "seed " + seed + ", chat " + chat + " from MySQL");
            }

            // 2. a page at every message and at every deleted id, in random directions and sizes, from
            //    both routes: the same as each other (read flags aside: API fetches mark) and as the documented rules
            int pages = 0;
            for (long chat : CHATS) {
                List<Long> anchors = new ArrayList<>();
                all.stream().filter(m -> m.chatId() == chat).forEach(m -> anchors.add(m.id()));
                anchors.addAll(deleted);
                for (long anchorId : anchors) {
                    Anchor anchor = Anchor.values()[random.nextInt(Anchor.values().length)];
                    int limit = 1 + random.nextInt(4);
                    String request = "{\"limit\":" + limit + ",\"" + anchor.field + "\":" + anchorId + "}";
                    String where = "seed " + seed + ", chat " + chat + ", " + request;
                    Optional<Page> expected = ExpectedPages.of(all, new SearchCriteria(chat, Optional.empty(), limit,
                            position(anchor, anchorId)));
                    Reply fromRedis = fetch(chat, Reader.ANONYMOUS, request);
                    Reply fromMysql = fetch(chat, Reader.API, request);
                    if (expected.isEmpty()) {
                        assertEquals(404, fromRedis.status(), where + " from Redis: " + fromRedis.body());
                        assertEquals(404, fromMysql.status(), where + " from MySQL: " + fromMysql.body());
                        assertError(fromRedis, 404, where);
                        assertError(fromMysql, 404, where);
                        continue;
                    }
                    PageView want = new PageView(expected.get().messages().stream().map(Message::id).toList(),
                            expected.get().hasOlder(), expected.get().hasNewer());
                    assertEquals(want, pageOf(fromRedis, Reader.ANONYMOUS), where + " from Redis");
                    assertEquals(want, pageOf(fromMysql, Reader.API), where + " from MySQL");
                    assertEquals(withoutRead(messages(fromMysql, "mysql")), withoutRead(messages(fromRedis, "redis")), where);
                    pages++;
                }
            }
            assertTrue(pages > 0, "seed " + seed + ": no page was compared");

            // 3. once every mark and every change has been relayed, the stores agree field by field
            stores.cache.readMarks().drain();
            stores.cache.cacheRelay().drain();
            assertEquals(List.of(), stores.cache.rebuild().verify(Optional.empty(), CacheRebuild.Progress.NONE),
                    "seed " + seed);
        }

        private static JsonNode pickLive(Random random, Map<Long, JsonNode> live) {
            List<JsonNode> values = new ArrayList<>(live.values());
            return values.get(random.nextInt(values.size()));
        }

        private static Authenticator.Issued authorOf(JsonNode message, List<Authenticator.Issued> actors) {
            return actors.stream().filter(a -> a.user().id() == message.get("userId").longValue()).findFirst().orElseThrow();
        }

        private static long otherChat(long chat) {
            return chat == CHATS[0] ? CHATS[1] : CHATS[0];
        }

        private static Position position(Anchor anchor, long id) {
            return switch (anchor) {
                case BEFORE -> new Position.Before(id);
                case AFTER -> new Position.After(id);
                case AROUND -> new Position.Around(id);
            };
        }
    }

    // ------------------------------------------------------------------ helpers

    /** What a fetch answered, reduced to what paging is about. */
    record PageView(List<Long> ids, boolean hasOlder, boolean hasNewer) {
    }

    private static String textBody(String message) {
        return JSON.createObjectNode().put("message", message).toString();
    }

    private PageView page(long chatId, Reader reader, String body) {
        return pageOf(fetch(chatId, reader, body), reader);
    }

    private static PageView pageOf(Reply reply, Reader reader) {
        List<Long> ids = ids(reply, reader);
        return new PageView(ids, reply.json().get("hasOlder").booleanValue(), reply.json().get("hasNewer").booleanValue());
    }

    /**
     * The message reads back exactly as given (text, data, read flag and all) as the only message
     * of its chat on both routes: anonymous first, which marks nothing.
     */
    private void assertUnchanged(long chatId, JsonNode expected) {
        assertEquals(List.of(expected), messages(fetch(chatId, Reader.ANONYMOUS, null), "redis"), "chat " + chatId + " from Redis");
        assertEquals(List.of(expected), messages(fetch(chatId, Reader.API, null), "mysql"), "chat " + chatId + " from MySQL");
    }

    private static JsonNode withText(JsonNode message, String text) {
        return ((ObjectNode) message.deepCopy()).put("message", text);
    }

    private static List<JsonNode> withoutRead(List<JsonNode> messages) {
        return messages.stream().map(m -> {
            ObjectNode copy = m.deepCopy();
            copy.remove("read");
            return (JsonNode) copy;
        }).toList();
    }

    /** The wire form of a message back as a {@link Message}, for the paging oracle. */
    private static Message toMessage(JsonNode m) {
        return new Message(m.get("id").longValue(), m.get("chatId").longValue(), m.get("userId").longValue(),
                m.get("message").textValue(), Instant.parse(m.get("createdAt").textValue()).toEpochMilli(),
                m.get("data").isNull() ? null : m.get("data").toString(), m.get("read").booleanValue());
    }

    /** The "data" of the only message of a fetch, parsed without rounding numbers. */
    private static JsonNode dataExactly(Reply reply) {
        assertEquals(200, reply.status(), reply.body());
        try {
            JsonNode list = EXACT.readTree(reply.body()).get("messages");
            assertEquals(1, list.size(), reply.body());
            return list.get(0).get("data");
        } catch (JsonProcessingException e) {
            throw new AssertionError(reply.body(), e);
        }
    }

}
