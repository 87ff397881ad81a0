package chatcache.web;

import chatcache.web.ApiClient.Reply;

import chatcache.support.TestClock;
import chatcache.user.Authenticator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static chatcache.web.ApiClient.assertError;
import static chatcache.web.ApiClient.assertJsonContentType;
import static chatcache.web.ApiClient.fieldNames;
import static chatcache.web.ApiClient.bearer;
import static chatcache.web.ApiClient.messageBody;
import static chatcache.web.ApiClient.created;
import static chatcache.web.ApiClient.id;
import static chatcache.web.ApiClient.messages;
import static chatcache.web.ApiClient.ids;
import static chatcache.web.ApiClient.readFlags;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP API end to end: the real web app on a free port over the real MariaDB and
 * Redis+RediSearch, spoken to over HTTP. Expectations are derived from what each test posted.
 */
class HttpApiIT extends LiveApp {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long T = TestClock.START; // 2027-01-15T08:00:00.000Z

    @BeforeEach
    void startEmpty() {
        emptyStores();
    }

    // ------------------------------------------------------------------ posting

    @Nested
    class Posting {

        @Test
        void aPostedMessageIsAnsweredWith201AndTheStoredMessage() {
            stores.clock.set(T);
            ObjectNode data = JSON.createObjectNode();
            data.put("a", 1);
            data.putArray("b").add(true).addNull().add("x");
            data.putObject("c").put("d", 1.5).put("e", "text");

            Reply reply = postAsMember(7, alice, messageBody("hello", data));

            assertEquals(201, reply.status(), reply.body());
            assertJsonContentType(reply);
            JsonNode m = reply.json();
            assertEquals(Set.of("id", "chatId", "userId", "message", "createdAt", "data", "read"), fieldNames(m));
            assertTrue(m.get("id").isIntegralNumber() && m.get("id").longValue() > 0, m.toString());
            assertEquals(7, m.get("chatId").longValue());
            assertEquals(alice.user().id(), m.get("userId").longValue());
            assertEquals("hello", m.get("message").textValue());
            assertEquals("2027-01-15T08:00:00.000Z", m.get("createdAt").textValue());
            assertEquals(data, m.get("data"));
            assertEquals(false, m.get("read").booleanValue());
            assertTrue(m.get("read").isBoolean());
        }

        @Test
        void createdAtIsTheProgramClockInUtcAlwaysWithMilliseconds() {
            stores.clock.set(T + 7);
            assertEquals("2027-01-15T08:00:00.007Z", created(postAsMember(1, alice, messageBody("a", null))).get("createdAt").textValue());
            stores.clock.set(T + 86_400_000L + 3_600_000L + 120);
            assertEquals("2027-01-16T09:00:00.120Z", created(postAsMember(1, alice, messageBody("b", null))).get("createdAt").textValue());
        }

        @Test
        void theAuthorIsAlwaysTheCallerWhateverTheirRole() {
            assertEquals(alice.user().id(), created(postAsMember(3, alice, messageBody("from alice", null))).get("userId").longValue());
            assertEquals(api.user().id(), created(postAsMember(3, api, messageBody("from the api", null))).get("userId").longValue());
            assertFalse(alice.user().id() == api.user().id());
        }

        @Test
        void aPostedMessageReadsBackIdenticallyFromRedisAndFromMysql() {
            ObjectNode data = JSON.createObjectNode();
            data.put("kind", "note").putObject("nested").putArray("list").add(1).add(2);
            JsonNode posted = created(postAsMember(5, alice, messageBody("round trip", data)));

            // anonymous first: it marks nothing, so the API client still sees the stored state
            assertEquals(List.of(posted), messages(fetch(5, Reader.ANONYMOUS, null), "redis"));
            assertEquals(List.of(posted), messages(fetch(5, Reader.API, null), "mysql"));
        }

        @Test
        void dataNullAndAbsentDataAreBothStoredAsNull() {
            JsonNode explicitNull = created(postAsMember(4, alice, "{\"message\":\"explicit\",\"data\":null}"));
            JsonNode absent = created(postAsMember(4, alice, "{\"message\":\"absent\"}"));
            assertTrue(explicitNull.has("data") && explicitNull.get("data").isNull(), explicitNull.toString());
            assertTrue(absent.has("data") && absent.get("data").isNull(), absent.toString());

            assertEquals(List.of(absent, explicitNull), messages(fetch(4, Reader.ANONYMOUS, null), "redis"));
            assertEquals(List.of(absent, explicitNull), messages(fetch(4, Reader.API, null), "mysql"));
        }

        @Test
        void anEmptyDataObjectIsKeptAsAnEmptyObject() {
            JsonNode posted = created(postAsMember(4, alice, "{\"message\":\"m\",\"data\":{}}"));
            assertEquals(JSON.createObjectNode(), posted.get("data"));
            assertEquals(List.of(posted), messages(fetch(4, Reader.ANONYMOUS, null), "redis"));
            assertEquals(List.of(posted), messages(fetch(4, Reader.API, null), "mysql"));
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "<none>",                  // no Authorization header: posting needs a caller
                "Bearer not-a-known-token",
                "Bearer {token}x",          // a known token with one character more
                "Basic {token}",
                "{token}",                  // the token without the scheme
                "Bearer{token}",            // no space after the scheme
                "Bearer",
                "Bearer ",
                "",
        })
        void postingWithoutAValidBearerTokenIsRefusedWith401(String header) {
            Reply reply = send("POST", "/chat/1/message", authorization(header), messageBody("should not be stored", null));
            assertError(reply, 401);
            assertEquals(List.of(), messages(fetch(1, Reader.API, null), "mysql"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"abc", "0", "00", "-1", "+5", "1.5", "0x1F", "1e3", "%201", "1%20", "99999999999999999999"})
        void postingToAChatIdThatIsNotAPositiveLongIsRefusedWith400(String chatId) {
            assertError(send("POST", "/chat/" + chatId + "/message", bearer(alice), messageBody("nope", null)), 400);
        }

        @ParameterizedTest
        @ValueSource(strings = {"9223372036854775808", "9999999999999999999"})
        void postingToANineteenDigitChatIdBeyondTheLongRangeIsRefusedWith400(String chatId) {
            assertError(send("POST", "/chat/" + chatId + "/message", bearer(alice), messageBody("nope", null)), 400);
        }

        @Test
        void theLargestLongIsAValidChatId() {
            long chatId = Long.MAX_VALUE;
            JsonNode posted = created(postAsMember(chatId, alice, messageBody("at the edge", null)));
            assertEquals(chatId, posted.get("chatId").longValue());
            assertEquals(List.of(posted), messages(fetch(chatId, Reader.ANONYMOUS, null), "redis"));
            assertEquals(List.of(posted), messages(fetch(chatId, Reader.API, null), "mysql"));
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "<none>",                                   // missing body
                "",
                "   ",
                "{",
                "{\"message\":",
                "{\"message\":\"unterminated}",
                "{'message':'single quotes'}",
                "[1]",
                "[{\"message\":\"in an array\"}]",
                "\"just a string\"",
                "42",
                "null",
                "{\"message\":\"a\",\"message\":\"b\"}",    // duplicate key
                "{\"message\":\"hi\",\"extra\":1}",          // unknown field
                "{\"message\":\"hi\",\"Message\":\"hi\"}",
                "{\"data\":{}}",                             // message missing
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
                "{\"message\":\"\\ud800x\"}",                // unpaired high surrogate
                "{\"message\":\"x\\udc00\"}",                // unpaired low surrogate
                "{\"message\":\"\\ude00\\ud83d\"}",          // a pair in the wrong order
                "{\"message\":\"hi\",\"data\":[1]}",
                "{\"message\":\"hi\",\"data\":[]}",
                "{\"message\":\"hi\",\"data\":\"s\"}",
                "{\"message\":\"hi\",\"data\":5}",
                "{\"message\":\"hi\",\"data\":true}",
                "{\"message\":\"hi\",\"data\":{\"k\":\"\\ud800\"}}",  // unpaired surrogate inside data
        })
        void anInvalidMessageBodyIsRefusedWith400AndNothingIsStored(String raw) {
            assertError(send("POST", "/chat/1/message", bearer(alice), raw.equals("<none>") ? null : raw), 400);
            assertEquals(List.of(), messages(fetch(1, Reader.API, null), "mysql"));
            assertEquals(List.of(), messages(fetch(1, Reader.ANONYMOUS, null), "redis"));
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "{\"message\":\"first\"} trailing",
                "{\"message\":\"first\"}{\"message\":\"second\"}",
                "{\"message\":\"first\"}]",
                "{\"message\":\"first\"} 1",
        })
        void aBodyWithMoreAfterTheJsonObjectIsMalformedAndRefusedWith400(String raw) {
            assertError(send("POST", "/chat/1/message", bearer(alice), raw), 400);
            assertEquals(List.of(), messages(fetch(1, Reader.API, null), "mysql"));
        }

        @Test
        void aBodyLargerThanTheRequestLimitIsRefusedWithAJsonErrorAndNothingIsStored() {
            Reply reply = postAsMember(1, alice, messageBody("a".repeat(70_000), null));
            assertError(reply, 413);
            assertEquals(List.of(), messages(fetch(1, Reader.API, null), "mysql"));
        }

        @Test
        void aMessageOfExactly4000CharactersIsAcceptedAnd4001AreRefused() {
            String longest = "a".repeat(4000);
            JsonNode posted = created(postAsMember(1, alice, messageBody(longest, null)));
            assertEquals(longest, posted.get("message").textValue());
            assertError(postAsMember(1, alice, messageBody("a".repeat(4001), null)), 400);

            assertEquals(List.of(posted), messages(fetch(1, Reader.ANONYMOUS, null), "redis"));
            assertEquals(List.of(posted), messages(fetch(1, Reader.API, null), "mysql"));
        }

        @Test
        void theLengthLimitCountsCodePointsNotUtf16Units() {
            String emoji = "\uD83D\uDE00"; // 😀: one code point, two UTF-16 units, four UTF-8 bytes
            String longest = emoji.repeat(4000);
            assertEquals(8000, longest.length());

            // escaped as JSON surrogate pairs, the way many clients send non-BMP characters
            JsonNode posted = created(postAsMember(1, alice, "{\"message\":\"" + "\\ud83d\\ude00".repeat(4000) + "\"}"));
            assertEquals(longest, posted.get("message").textValue());
            assertError(postAsMember(1, alice, messageBody(emoji.repeat(4001), null)), 400);
            assertError(postAsMember(1, alice, messageBody(emoji.repeat(4000) + "a", null)), 400);

            assertEquals(List.of(posted), messages(fetch(1, Reader.ANONYMOUS, null), "redis"));
            assertEquals(List.of(posted), messages(fetch(1, Reader.API, null), "mysql"));
        }

        @Test
        void dataOfExactly16384BytesAsJsonIsAcceptedAndOneByteMoreIsRefused() {
            // {"k":"…"} is 8 bytes around the value
            ObjectNode largest = JSON.createObjectNode().put("k", "x".repeat(16_384 - 8));
            assertEquals(16_384, jsonBytes(largest));
            JsonNode posted = created(postAsMember(1, alice, messageBody("big data", largest)));
            assertEquals(largest, posted.get("data"));

            ObjectNode tooLarge = JSON.createObjectNode().put("k", "x".repeat(16_384 - 7));
            assertError(postAsMember(1, alice, messageBody("too big", tooLarge)), 400);

            assertEquals(List.of(posted), messages(fetch(1, Reader.ANONYMOUS, null), "redis"));
            assertEquals(List.of(posted), messages(fetch(1, Reader.API, null), "mysql"));
        }

        @Test
        void theDataLimitCountsUtf8BytesNotCharacters() {
            String emoji = "\uD83D\uDE00";
            ObjectNode largest = JSON.createObjectNode().put("k", emoji.repeat((16_384 - 8) / 4)); // 4094 × 4 bytes
            assertEquals(16_384, jsonBytes(largest));
            JsonNode posted = created(postAsMember(1, alice, messageBody("big emoji data", largest)));
            assertEquals(largest, posted.get("data"));

            // 16 388 bytes, though only 8 198 UTF-16 units
            ObjectNode tooLarge = JSON.createObjectNode().put("k", emoji.repeat((16_384 - 8) / 4 + 1));
            assertError(postAsMember(1, alice, messageBody("too big", tooLarge)), 400);

            assertEquals(List.of(posted), messages(fetch(1, Reader.API, null), "mysql"));
        }

        @Test
        void dataWhitespaceDoesNotCountTowardsItsSize() {
            // the limit is on the JSON of the data object, not on the request's formatting of it
            String value = "x".repeat(16_384 - 8);
            String spaced = "{\"message\":\"m\",\"data\":{   \"k\"   :   \"" + value + "\"   }}";
            JsonNode posted = created(postAsMember(1, alice, spaced));
            assertEquals(value, posted.get("data").get("k").textValue());
        }
    }

    // ------------------------------------------------------------------ fetching

    @Nested
    class Fetching {

        @Test
        void anonymousReadersAreAnsweredFromRedis() {
            JsonNode posted = created(postAsMember(1, alice, messageBody("hi", null)));
            assertEquals(List.of(posted), messages(send("POST", "/chat/1/messages", ANONYMOUS, null), "redis"));
        }

        @Test
        void signedInUsersAreAnsweredFromRedis() {
            JsonNode posted = created(postAsMember(1, alice, messageBody("hi", null)));
            assertEquals(List.of(posted), messages(send("POST", "/chat/1/messages", bearer(bob), null), "redis"));
        }

        @Test
        void apiClientsAreAnsweredFromMysql() {
            JsonNode posted = created(postAsMember(1, alice, messageBody("hi", null)));
            assertEquals(List.of(posted), messages(send("POST", "/chat/1/messages", bearer(api), null), "mysql"));
        }

        @Test
        void theAnswerIsJsonWithExactlyMessagesPagingFlagsAndSource() {
            postAsMember(1, alice, messageBody("hi", null));
            Reply reply = fetch(1, Reader.USER, null);
            assertEquals(200, reply.status(), reply.body());
            assertJsonContentType(reply);
            assertEquals(Set.of("messages", "hasOlder", "hasNewer", "source", "eventId"), fieldNames(reply.json()));
            assertTrue(reply.json().get("messages").isArray());
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void messagesComeNewestFirstAndByDescendingIdWithinAMillisecond(Reader reader) {
            stores.clock.set(T);
            long first = id(postAsMember(1, alice, messageBody("first, at T", null)));
            stores.clock.set(T - 5);
            long older = id(postAsMember(1, bob, messageBody("posted later but 5 ms older", null)));
            stores.clock.set(T);
            long second = id(postAsMember(1, alice, messageBody("second, at T", null)));
            long third = id(postAsMember(1, bob, messageBody("third, at T", null)));
            stores.clock.set(T + 1);
            long newest = id(postAsMember(1, alice, messageBody("newest, at T+1", null)));
            stores.clock.set(T - 1000);
            long oldest = id(postAsMember(1, alice, messageBody("oldest, posted last", null)));

            assertEquals(List.of(newest, third, second, first, older, oldest), ids(fetch(1, reader, null), reader));
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void withoutALimitTheTwentyNewestMessagesAreReturned(Reader reader) {
            List<Long> posted = postSeries(1, 25);
            assertEquals(posted.reversed().subList(0, 20), ids(fetch(1, reader, null), reader));
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void aLimitReturnsThatManyOfTheNewestMessages(Reader reader) {
            List<Long> posted = postSeries(1, 25);
            List<Long> newestFirst = posted.reversed();
            assertEquals(newestFirst.subList(0, 1), ids(fetch(1, reader, "{\"limit\":1}"), reader));
            assertEquals(newestFirst.subList(0, 7), ids(fetch(1, reader, "{\"limit\":7}"), reader));
            assertEquals(newestFirst, ids(fetch(1, reader, "{\"limit\":25}"), reader));
            assertEquals(newestFirst, ids(fetch(1, reader, "{\"limit\":100}"), reader));
        }

        /** why: pages are written as bytes by the app itself; compression must still apply to them. */
        @Test
        void aPageIsGzippedForClientsThatAcceptItAndPlainForOthers() throws Exception {
            List<Long> newest = postSeries(1, 30).reversed().subList(0, 20);
            for (boolean gzip : new boolean[] {true, false}) {
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/chat/1/messages"))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"limit\":20}"));
                if (gzip) {
                    request.header("Accept-Encoding", "gzip");
                }
                HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, response.statusCode());
                assertEquals(gzip ? "gzip" : "none", response.headers().firstValue("Content-Encoding").orElse("none"));
                byte[] body = response.body();
                if (gzip) {
                    try (java.util.zip.GZIPInputStream in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(body))) {
                        body = in.readAllBytes();
                    }
                }
                List<Long> ids = new ArrayList<>();
                JSON.readTree(body).path("messages").forEach(m -> ids.add(m.path("id").asLong()));
                assertEquals(newest, ids, gzip ? "gzip" : "plain");
            }
        }

        @Test
        void aLimitOf100ReturnsTheHundredNewestOnEveryRoute() {
            List<Long> newestHundred = postSeries(1, 101).reversed().subList(0, 100);
            for (Reader reader : Reader.values()) {
                assertEquals(newestHundred, ids(fetch(1, reader, "{\"limit\":100}"), reader), reader.name());
            }
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void userIdReturnsOnlyThatAuthorsMessages(Reader reader) {
            List<Long> byAlice = new ArrayList<>();
            List<Long> byBob = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                stores.clock.set(T + i);
                (i % 2 == 0 ? byAlice : byBob).add(id(postAsMember(1, i % 2 == 0 ? alice : bob, messageBody("m" + i, null))));
            }
            postAsMember(2, alice, messageBody("alice in another chat", null));

            assertEquals(byAlice.reversed(), ids(fetch(1, reader, "{\"userId\":" + alice.user().id() + "}"), reader));
            assertEquals(byBob.reversed(), ids(fetch(1, reader, "{\"userId\":" + bob.user().id() + "}"), reader));
            assertEquals(byAlice.reversed().subList(0, 2),
                    ids(fetch(1, reader, "{\"userId\":" + alice.user().id() + ",\"limit\":2}"), reader));
            assertEquals(List.of(), ids(fetch(1, reader, "{\"userId\":" + api.user().id() + "}"), reader));
            assertEquals(List.of(), ids(fetch(1, reader, "{\"userId\":" + Long.MAX_VALUE + "}"), reader));
        }

        @ParameterizedTest
        @EnumSource(value = Reader.class, names = {"USER", "API"})
        void onlyOwnReturnsOnlyTheCallersMessagesAndWinsOverUserId(Reader reader) {
            Authenticator.Issued caller = issued(reader);
            List<Long> own = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                stores.clock.set(T + i);
                if (i % 2 == 0) {
                    own.add(id(postAsMember(1, caller, messageBody("own " + i, null))));
                } else {
                    postAsMember(1, alice, messageBody("alice " + i, null));
                }
            }
            postAsMember(2, caller, messageBody("own, in another chat", null));

            assertEquals(own.reversed(), ids(fetch(1, reader, "{\"onlyOwn\":true}"), reader));
            assertEquals(own.reversed(), ids(fetch(1, reader,
                    "{\"onlyOwn\":true,\"userId\":" + alice.user().id() + "}"), reader));
            assertEquals(own.reversed().subList(0, 1), ids(fetch(1, reader, "{\"onlyOwn\":true,\"limit\":1}"), reader));
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void onlyOwnFalseMeansEveryAuthor(Reader reader) {
            stores.clock.set(T);
            long a = id(postAsMember(1, alice, messageBody("a", null)));
            stores.clock.set(T + 1);
            long b = id(postAsMember(1, bob, messageBody("b", null)));
            assertEquals(List.of(b, a), ids(fetch(1, reader, "{\"onlyOwn\":false}"), reader));
            assertEquals(List.of(a), ids(fetch(1, reader,
                    "{\"onlyOwn\":false,\"userId\":" + alice.user().id() + "}"), reader));
        }

        @Test
        void onlyOwnWithoutACallerIsRefusedWith401() {
            postAsMember(1, alice, messageBody("a", null));
            assertError(fetch(1, Reader.ANONYMOUS, "{\"onlyOwn\":true}"), 401);
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void messagesOfOtherChatsNeverAppear(Reader reader) {
            long[] chats = {1, 2, 10, 11, 21, 100, Long.MAX_VALUE};
            List<List<Long>> byChat = new ArrayList<>();
            for (long chat : chats) {
                byChat.add(new ArrayList<>());
            }
            for (int round = 0; round < 3; round++) {
                for (int c = 0; c < chats.length; c++) {
                    stores.clock.advance(1);
                    byChat.get(c).add(id(postAsMember(chats[c], round % 2 == 0 ? alice : bob,
                            messageBody("chat " + chats[c] + " round " + round, null))));
                }
            }
            for (int c = 0; c < chats.length; c++) {
                Reply reply = fetch(chats[c], reader, null);
                assertEquals(byChat.get(c).reversed(), ids(reply, reader), "chat " + chats[c]);
                for (JsonNode m : messages(reply, reader.source)) {
                    assertEquals(chats[c], m.get("chatId").longValue());
                }
            }
            assertEquals(List.of(), ids(fetch(3, reader, null), reader));
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void anEmptyBodyAndAnEmptyObjectBothMeanTheDefaults(Reader reader) {
            List<Long> expected = postSeries(1, 22).reversed().subList(0, 20);
            assertEquals(expected, ids(fetch(1, reader, null), reader));
            assertEquals(expected, ids(fetch(1, reader, ""), reader));
            assertEquals(expected, ids(fetch(1, reader, "{}"), reader));
            assertEquals(expected, ids(fetch(1, reader, " { } "), reader));
        }

        @ParameterizedTest
        @EnumSource(Reader.class)
        void aChatWithoutMessagesAnswersAnEmptyList(Reader reader) {
            Reply reply = fetch(42, reader, null);
            assertEquals(List.of(), messages(reply, reader.source));
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "{\"limit\":0}",
                "{\"limit\":101}",
                "{\"limit\":-1}",
                "{\"limit\":\"5\"}",
                "{\"limit\":5.5}",
                "{\"limit\":5.0}",
                "{\"limit\":1e1}",
                "{\"limit\":true}",
                "{\"limit\":[5]}",
                "{\"limit\":99999999999999999999}",
                "{\"userId\":0}",
                "{\"userId\":-3}",
                "{\"userId\":\"7\"}",
                "{\"userId\":1.5}",
                "{\"userId\":true}",
                "{\"userId\":99999999999999999999}",
                "{\"onlyOwn\":\"yes\"}",
                "{\"onlyOwn\":\"true\"}",
                "{\"onlyOwn\":1}",
                "{\"onlyOwn\":0}",
                "{\"limit\":5,\"offset\":10}",      // unknown field
                "{\"chatId\":2}",
                "{\"limit\":5,\"limit\":6}",        // duplicate key
                "{\"limit\":",
                "{limit:5}",
                "[1]",
                "\"limit\"",
                "5",
                "null",
        })
        void anInvalidFetchBodyIsRefusedWith400(String raw) {
            postAsMember(1, alice, messageBody("present", null));
            assertError(fetch(1, Reader.USER, raw), 400);
            assertError(fetch(1, Reader.ANONYMOUS, raw), 400);
            assertError(fetch(1, Reader.API, raw), 400);
        }

        @ParameterizedTest
        @ValueSource(strings = {"{\"limit\":1} trailing", "{\"limit\":1}{\"limit\":2}", "{} {}", "{\"limit\":1}]"})
        void aFetchBodyWithMoreAfterTheJsonObjectIsMalformedAndRefusedWith400(String raw) {
            postAsMember(1, alice, messageBody("present", null));
            assertError(fetch(1, Reader.USER, raw), 400);
            assertError(fetch(1, Reader.API, raw), 400);
        }

        @ParameterizedTest
        @ValueSource(strings = {"abc", "0", "00", "-1", "+5", "1.5", "0x1F", "%201", "99999999999999999999"})
        void fetchingAChatIdThatIsNotAPositiveLongIsRefusedWith400(String chatId) {
            assertError(send("POST", "/chat/" + chatId + "/messages", ANONYMOUS, null), 400);
            assertError(send("POST", "/chat/" + chatId + "/messages", bearer(bob), null), 400);
            assertError(send("POST", "/chat/" + chatId + "/messages", bearer(api), null), 400);
        }

        @ParameterizedTest
        @ValueSource(strings = {"9223372036854775808", "9999999999999999999"})
        void fetchingANineteenDigitChatIdBeyondTheLongRangeIsRefusedWith400(String chatId) {
            assertError(send("POST", "/chat/" + chatId + "/messages", ANONYMOUS, null), 400);
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "Bearer not-a-known-token",
                "Bearer {token}x",
                "Basic {token}",
                "{token}",
                "Bearer{token}",
                "Bearer",
                "Bearer ",
                "",
        })
        void fetchingWithAnAuthorizationThatNamesNoUserIsRefusedWith401(String header) {
            postAsMember(1, alice, messageBody("present", null));
            assertError(send("POST", "/chat/1/messages", authorization(header), null), 401);
            assertError(send("POST", "/chat/1/messages", authorization(header), "{\"limit\":1}"), 401);
        }
    }

    // ------------------------------------------------------------------ read marks

    @Nested
    class ReadMarks {

        @ParameterizedTest
        @EnumSource(value = Reader.class, names = {"USER", "API"})
        void aFetchAnswersTheUnreadStateAndMarksOtherAuthorsMessagesRead(Reader reader) {
            Authenticator.Issued caller = issued(reader);
            stores.clock.set(T);
            long a1 = id(postAsMember(1, alice, messageBody("a1", null)));
            stores.clock.set(T + 1);
            long own = id(postAsMember(1, caller, messageBody("the caller's own", null)));
            stores.clock.set(T + 2);
            long a2 = id(postAsMember(1, alice, messageBody("a2", null)));

            Reply first = fetch(1, reader, null);
            assertEquals(List.of(a2, own, a1), ids(first, reader));
            assertEquals(List.of(false, false, false), readFlags(first, reader));

            Reply second = fetch(1, reader, null);
            assertEquals(List.of(a2, own, a1), ids(second, reader));
            assertEquals(List.of(true, false, true), readFlags(second, reader));
        }

        @Test
        void theCallersOwnMessagesStayUnreadWhateverTheyFetch() {
            List<Long> posted = postSeriesBy(alice, 1, 3);
            for (int i = 0; i < 3; i++) {
                assertEquals(List.of(false, false, false), readFlags(send("POST", "/chat/1/messages", bearer(alice), null), Reader.USER));
            }
            stores.cache.readMarks().drain();
            assertEquals(posted.reversed(), ids(fetch(1, Reader.ANONYMOUS, null), Reader.ANONYMOUS));
            assertEquals(List.of(false, false, false), readFlags(fetch(1, Reader.ANONYMOUS, null), Reader.ANONYMOUS));
            assertEquals(List.of(false, false, false), readFlags(fetch(1, Reader.API, null), Reader.API));
        }

        @Test
        void anApiClientsOwnMessagesStayUnreadOnTheMysqlRoute() {
            postSeriesBy(api, 1, 2);
            fetch(1, Reader.API, null);
            assertEquals(List.of(false, false), readFlags(fetch(1, Reader.API, null), Reader.API));
            assertEquals(List.of(false, false), readFlags(fetch(1, Reader.ANONYMOUS, null), Reader.ANONYMOUS));
        }

        @Test
        void anonymousFetchesMarkNothing() {
            postSeriesBy(alice, 1, 3);
            for (int i = 0; i < 3; i++) {
                assertEquals(List.of(false, false, false), readFlags(fetch(1, Reader.ANONYMOUS, null), Reader.ANONYMOUS));
            }
            stores.cache.readMarks().drain();
            // nor anything in MySQL: the API client's first fetch still sees them unread
            assertEquals(List.of(false, false, false), readFlags(fetch(1, Reader.API, null), Reader.API));
        }

        @ParameterizedTest
        @EnumSource(value = Reader.class, names = {"USER", "API"})
        void onlyTheMessagesAFetchReturnedAreMarked(Reader reader) {
            List<Long> posted = postSeriesBy(alice, 1, 4);
            assertEquals(posted.reversed().subList(0, 1), ids(fetch(1, reader, "{\"limit\":1}"), reader));
            stores.cache.readMarks().drain();

            assertEquals(List.of(true, false, false, false), readFlags(fetch(1, Reader.ANONYMOUS, null), Reader.ANONYMOUS));
            // a filtered fetch that returns nothing marks nothing
            assertEquals(List.of(), ids(fetch(1, reader, "{\"userId\":" + bob.user().id() + "}"), reader));
            stores.cache.readMarks().drain();
            assertEquals(List.of(true, false, false, false), readFlags(fetch(1, Reader.API, "{\"limit\":100}"), Reader.API));
        }

        @ParameterizedTest
        @EnumSource(value = Reader.class, names = {"USER", "API"})
        void marksInOneChatLeaveOtherChatsUnread(Reader reader) {
            postSeriesBy(alice, 1, 2);
            postSeriesBy(alice, 2, 2);
            fetch(1, reader, null);
            stores.cache.readMarks().drain();

            assertEquals(List.of(true, true), readFlags(fetch(1, Reader.ANONYMOUS, null), Reader.ANONYMOUS));
            assertEquals(List.of(false, false), readFlags(fetch(2, Reader.ANONYMOUS, null), Reader.ANONYMOUS));
        }

        @Test
        void marksMadeOnTheRedisRouteReachMysql() {
            List<Long> byAlice = postSeriesBy(alice, 1, 3);

            Reply userFetch = fetch(1, Reader.USER, null);
            assertEquals(byAlice.reversed(), ids(userFetch, Reader.USER));
            assertEquals(List.of(false, false, false), readFlags(userFetch, Reader.USER));
            stores.cache.readMarks().drain();

            Reply apiFetch = fetch(1, Reader.API, null);
            assertEquals(byAlice.reversed(), ids(apiFetch, Reader.API));
            assertEquals(List.of(true, true, true), readFlags(apiFetch, Reader.API));
        }

        @Test
        void marksMadeOnTheMysqlRouteReachRedis() {
            List<Long> byAlice = postSeriesBy(alice, 1, 3);

            Reply apiFetch = fetch(1, Reader.API, null);
            assertEquals(byAlice.reversed(), ids(apiFetch, Reader.API));
            assertEquals(List.of(false, false, false), readFlags(apiFetch, Reader.API));

            Reply anonymousFetch = fetch(1, Reader.ANONYMOUS, null);
            assertEquals(byAlice.reversed(), ids(anonymousFetch, Reader.ANONYMOUS));
            assertEquals(List.of(true, true, true), readFlags(anonymousFetch, Reader.ANONYMOUS));
            assertEquals(List.of(true, true, true), readFlags(fetch(1, Reader.USER, null), Reader.USER));
        }

        @Test
        void aMessageReadByOneUserIsReadForEveryone() {
            stores.clock.set(T);
            long byBob = id(postAsMember(1, bob, messageBody("bob's", null)));
            stores.clock.set(T + 1);
            long byAlice = id(postAsMember(1, alice, messageBody("alice's", null)));

            // alice reads: bob's message becomes read, her own stays unread
            send("POST", "/chat/1/messages", bearer(alice), null);
            stores.cache.readMarks().drain();
            Reply seen = fetch(1, Reader.API, null); // the API client is neither author: it marks alice's now
            assertEquals(List.of(byAlice, byBob), ids(seen, Reader.API));
            assertEquals(List.of(false, true), readFlags(seen, Reader.API));
            assertEquals(List.of(true, true), readFlags(fetch(1, Reader.ANONYMOUS, null), Reader.ANONYMOUS));
        }
    }

    // ------------------------------------------------------------------ health and routing

    @Nested
    class HealthAndRouting {

        @Test
        void healthReportsBothStoresUpAndTheRediSearchVersion() {
            Reply reply = send("GET", "/health", ANONYMOUS, null);
            assertEquals(200, reply.status(), reply.body());
            assertJsonContentType(reply);
            assertEquals("ok", reply.json().path("status").textValue());
            assertTrue(reply.json().path("mysql").path("up").isBoolean());
            assertTrue(reply.json().path("mysql").path("up").booleanValue());
            assertTrue(reply.json().path("redis").path("up").booleanValue());
            String version = reply.json().path("redis").path("redisearch").textValue();
            assertNotNull(version, reply.body());
            assertTrue(version.matches("\\d+\\.\\d+\\.\\d+"), version);
            assertTrue(reply.json().path("redis").path("complete").booleanValue(), reply.body());
            assertEquals(0, reply.json().path("backlog").path("outbox").longValue(), reply.body());
            assertEquals(0, reply.json().path("backlog").path("readMarks").longValue(), reply.body());
            assertEquals(Set.of("incomplete", "cold", "unreachable", "timeout", "disagreement", "unreadable", "failed"),
                    fieldNames(reply.json().path("fallbacks")), reply.body());
            reply.json().path("fallbacks").forEach(n -> assertTrue(n.isIntegralNumber() && n.longValue() >= 0, reply.body()));
        }

        @Test
        void liveAndReadyAnswerWhileTheStoresServe() {
            Reply live = send("GET", "/health/live", ANONYMOUS, null);
            assertEquals(200, live.status(), live.body());
            assertEquals("{\"status\":\"live\"}", live.body());
            Reply ready = send("GET", "/health/ready", ANONYMOUS, null);
            assertEquals(200, ready.status(), ready.body());
            assertJsonContentType(ready);
            assertEquals("{\"status\":\"ready\",\"mysql\":true,\"redis\":true}", ready.body());
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "POST /nope",
                "GET /nope",
                "GET /chat/1/messages",
                "GET /chat/1/message",
                "POST /chat/1",
                "POST /chat/1/",
                "POST /chat//message",
                "POST /chat/1/message/extra",
                "POST /chats/1/messages",
                "POST /health",
                "DELETE /chat/1/message",
        })
        void unknownRoutesAnswer404WithAJsonError(String route) {
            String[] parts = route.split(" ", 2);
            assertError(send(parts[0], parts[1], bearer(alice), "{\"message\":\"hi\"}"), 404);
        }
    }

    // ------------------------------------------------------------------ security and unicode

    @Nested
    class Security {

        @ParameterizedTest
        @EnumSource(Reader.class)
        void queryLikeTextIsStoredVerbatimAndChangesNoOtherQuery(Reader reader) {
            String[] texts = {
                    "@chatId:{1} | @userId:[0 +inf]",
                    "'; DROP TABLE messages; --",
                    "\" OR 1=1 --",
                    "* -@chatId:{2}",
                    "@sk:[-inf +inf] {*} %x% \\ ~ \u200B $1",
            };
            ObjectNode data = JSON.createObjectNode().put("q", "@chatId:{2}").put("sql", "') OR ('1'='1");
            List<JsonNode> inOne = new ArrayList<>();
            for (String text : texts) {
                stores.clock.advance(1);
                inOne.add(created(postAsMember(1, alice, messageBody(text, data))));
            }
            stores.clock.advance(1);
            JsonNode inTwo = created(postAsMember(2, bob, messageBody("an ordinary message in chat 2", null)));

            for (int i = 0; i < texts.length; i++) {
                assertEquals(texts[i], inOne.get(i).get("message").textValue());
            }
            List<JsonNode> chatOne = messages(fetch(1, reader, null), reader.source);
            assertEquals(inOne.reversed(), chatOne);
            assertEquals(List.of(inTwo), messages(fetch(2, reader, null), reader.source));
            assertEquals(List.of(), messages(fetch(1, reader, "{\"userId\":" + bob.user().id() + "}"), reader.source));

            // the table is still there and still takes messages
            JsonNode after = created(postAsMember(1, bob, messageBody("after the attempts", null)));
            assertEquals(after, messages(fetch(1, Reader.ANONYMOUS, "{\"limit\":1}"), "redis").get(0));
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "1%20%7C%20%40chatId%3A%7B2%7D",      // 1 | @chatId:{2}
                "1%20OR%201%3D1",
                "1%3B%20DROP%20TABLE%20messages",
                "%2A",                               // *
        })
        void aChatIdCarryingAQueryIsRefusedWith400(String encodedChatId) {
            postAsMember(2, alice, messageBody("in chat 2", null));
            assertError(send("POST", "/chat/" + encodedChatId + "/messages", ANONYMOUS, null), 400);
            assertError(send("POST", "/chat/" + encodedChatId + "/messages", bearer(api), null), 400);
        }

        @Test
        void aTokenThatLooksLikeSqlNamesNoUser() {
            postAsMember(1, alice, messageBody("a", null));
            assertError(send("POST", "/chat/1/messages", "Bearer ' OR '1'='1", null), 401);
            assertError(send("POST", "/chat/1/message", "Bearer ' OR '1'='1", messageBody("x", null)), 401);
        }
    }

    @Nested
    class Unicode {

        private static final String TEXT = "Привет, мир! 你好，世界 こんにちは 😀👍🏽👨‍👩‍👧 "
                + "مرحبا بالعالم שלום \u200F\u200Eright-to-left\u200F\n"
                + "second line\r\n\ttabbed \"double\" 'single' `back` \\ / <b>&amp;</b> é vs e\u0301 \uFEFF end";

        @ParameterizedTest
        @EnumSource(Reader.class)
        void textInManyScriptsRoundTripsExactlyThroughPostAndEveryReadRoute(Reader reader) {
            ObjectNode data = JSON.createObjectNode().put("ключ", "值 😀").put("emoji😀", "\n\"quoted\"");
            JsonNode posted = created(postAsMember(1, alice, messageBody(TEXT, data)));
            assertEquals(TEXT, posted.get("message").textValue());
            assertEquals(data, posted.get("data"));

            List<JsonNode> read = messages(fetch(1, reader, null), reader.source);
            assertEquals(List.of(posted), read);
            assertEquals(TEXT, read.get(0).get("message").textValue());
        }

        @Test
        void escapedAndRawUtf8RequestsStoreTheSameText() {
            String escaped = JSON.createObjectNode().put("message", TEXT).toString();
            StringBuilder ascii = new StringBuilder();
            for (char c : escaped.toCharArray()) {
                ascii.append(c < 128 ? String.valueOf(c) : String.format("\\u%04x", (int) c));
            }
            JsonNode raw = created(postAsMember(1, alice, escaped));
            JsonNode asciiOnly = created(postAsMember(1, alice, ascii.toString()));
            assertEquals(TEXT, raw.get("message").textValue());
            assertEquals(TEXT, asciiOnly.get("message").textValue());
            List<JsonNode> fromMysql = messages(fetch(1, Reader.API, null), "mysql");
            assertEquals(List.of(TEXT, TEXT), fromMysql.stream().map(m -> m.get("message").textValue()).toList());
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Posts n messages by alice, one millisecond apart; returns their ids oldest first. */
    private List<Long> postSeries(long chatId, int n) {
        return postSeriesBy(alice, chatId, n);
    }

    private List<Long> postSeriesBy(Authenticator.Issued author, long chatId, int n) {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            stores.clock.advance(1);
            ids.add(id(postAsMember(chatId, author, messageBody("message " + i + " in chat " + chatId, null))));
        }
        return ids;
    }

    private static int jsonBytes(JsonNode node) {
        return node.toString().getBytes(StandardCharsets.UTF_8).length;
    }

}
