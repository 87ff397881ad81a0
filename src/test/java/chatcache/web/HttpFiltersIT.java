package chatcache.web;

import chatcache.support.TestClock;
import chatcache.user.Authenticator;
import chatcache.user.Role;
import chatcache.web.ApiClient.Reply;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static chatcache.web.ApiClient.assertError;
import static chatcache.web.ApiClient.bearer;
import static chatcache.web.ApiClient.messageBody;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The filters of issue #10 over HTTP, on both routes: {@code userIds} and {@code since}/{@code until}
 * (ISO-8601 with an offset, or epoch milliseconds), combined with each other and with positions,
 * and every malformed use answered with a 400.
 */
class HttpFiltersIT extends LiveApp {
    private static final long T = TestClock.START;


    private Authenticator.Issued alice;
    private Authenticator.Issued bob;
    private Authenticator.Issued carol;
    private Authenticator.Issued api;
    /** Ids posted, in posting order: times T + 0, 10, 20, ... by alice, bob, carol in turn. */
    private final List<Long> ids = new ArrayList<>();

    @BeforeEach
    void postChat() {
        stores.reset();
        ids.clear();
        alice = stores.user("alice", Role.USER);
        bob = stores.user("bob", Role.USER);
        carol = stores.user("carol", Role.USER);
        api = stores.user("backoffice", Role.API);
        List<Authenticator.Issued> authors = List.of(alice, bob, carol);
        for (int i = 0; i < 12; i++) {
            stores.clock.set(T + 10L * i);
            Reply r = ApiClient.send(http, base, "POST", "/chat/1/message", bearer(authors.get(i % 3)),
                    messageBody("m" + i, null));
            assertEquals(201, r.status(), r.body());
            ids.add(r.json().get("id").longValue());
        }
        stores.cache.readMarks().drain();
    }

    private List<Long> fetch(Reader reader, String body) {
        String auth = switch (reader) {
            case ANONYMOUS -> null;
            case USER -> bearer(bob);
            case API -> bearer(api);
        };
        Reply r = ApiClient.send(http, base, "POST", "/chat/1/messages", auth, body);
        assertEquals(200, r.status(), body + " -> " + r.body());
        assertEquals(reader.source, r.json().get("source").textValue(), r.body());
        List<Long> got = new ArrayList<>();
        for (JsonNode m : r.json().get("messages")) {
            got.add(m.get("id").longValue());
        }
        return got;
    }

    /** Ids of messages i (posting order), newest first. */
    private List<Long> newestFirst(int... indexes) {
        List<Long> out = new ArrayList<>();
        for (int i = indexes.length - 1; i >= 0; i--) {
            out.add(ids.get(indexes[i]));
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(Reader.class)
    void userIdsAnswersTheMessagesOfAnyOfThem(Reader reader) {
        String body = "{\"userIds\":[" + alice.user().id() + "," + carol.user().id() + "]}";
        assertEquals(newestFirst(0, 2, 3, 5, 6, 8, 9, 11), fetch(reader, body));
        assertEquals(newestFirst(3, 5, 6), fetch(reader, "{\"userIds\":[" + carol.user().id() + "," + alice.user().id()
                + "],\"limit\":3,\"before\":" + ids.get(8) + "}"));
        assertEquals(newestFirst(1, 4, 7, 10), fetch(reader, "{\"userIds\":[" + bob.user().id() + ", 987654]}"));
    }

    @ParameterizedTest
    @EnumSource(Reader.class)
    void sinceIsInclusiveAndUntilExclusiveInEveryFormat(Reader reader) {
        String t30 = Instant.ofEpochMilli(T + 30).toString();
        String t70PlusTwo = Instant.ofEpochMilli(T + 70).atOffset(java.time.ZoneOffset.ofHours(2)).toString();
        assertEquals(newestFirst(3, 4, 5, 6), fetch(reader, "{\"since\":\"" + t30 + "\",\"until\":\"" + t70PlusTwo + "\"}"));
        assertEquals(newestFirst(3, 4, 5, 6), fetch(reader, "{\"since\":" + (T + 30) + ",\"until\":" + (T + 70) + "}"));
        assertEquals(newestFirst(9, 10, 11), fetch(reader, "{\"since\":" + (T + 81) + "}"));
        assertEquals(newestFirst(0, 1), fetch(reader, "{\"until\":" + (T + 11) + "}"));
    }

    @ParameterizedTest
    @EnumSource(Reader.class)
    void filtersCombineWithEachOtherAndWithPositions(Reader reader) {
        String both = "\"userIds\":[" + alice.user().id() + "," + bob.user().id() + "],\"since\":" + (T + 20)
                + ",\"until\":" + (T + 100);
        assertEquals(newestFirst(3, 4, 6, 7, 9), fetch(reader, "{" + both + "}"));
        assertEquals(newestFirst(6, 7), fetch(reader, "{" + both + ",\"limit\":2,\"before\":" + ids.get(9) + "}"));
        assertEquals(newestFirst(6, 7, 9), fetch(reader, "{" + both + ",\"limit\":3,\"after\":" + ids.get(5) + "}"));
        assertEquals(newestFirst(4, 6, 7), fetch(reader, "{" + both + ",\"limit\":3,\"around\":" + ids.get(5) + "}"));
        assertEquals(newestFirst(3, 6, 9), fetch(reader, "{\"userId\":" + alice.user().id() + ",\"since\":" + (T + 20)
                + ",\"until\":" + (T + 100) + "}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"userId\":1,\"userIds\":[2]}", "{\"userIds\":[]}", "{\"userIds\":[1,1]}", "{\"userIds\":[0]}",
            "{\"userIds\":[\"1\"]}", "{\"userIds\":1}", "{\"userIds\":[1.5]}", "{\"userIds\":[-3]}",
            "{\"userIds\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21]}",
            "{\"since\":\"2026-11-20\"}", "{\"since\":\"2026-11-20T10:00:00\"}", "{\"since\":\"yesterday\"}",
            "{\"until\":true}", "{\"since\":1.5}", "{\"since\":100,\"until\":100}", "{\"since\":200,\"until\":100}",
            "{\"since\":\"2026-11-20T10:00:00Z\",\"until\":\"2026-11-20T11:00:00+02:00\"}",
            "{\"until\":99999999999999999999}", "{\"since\":\"+999999999-12-31T23:59:59Z\"}"})
    void malformedFiltersAre400(String body) {
        assertError(ApiClient.send(http, base, "POST", "/chat/1/messages", null, body), 400, body);
    }

    @ParameterizedTest
    @EnumSource(Reader.class)
    void onlyOwnWinsOverUserIds(Reader reader) {
        if (reader == Reader.ANONYMOUS) {
            assertError(ApiClient.send(http, base, "POST", "/chat/1/messages", null,
                    "{\"onlyOwn\":true,\"userIds\":[1]}"), 401, "anonymous onlyOwn");
            return;
        }
        Authenticator.Issued caller = reader == Reader.USER ? bob : api;
        List<Long> own = fetch(reader, "{\"onlyOwn\":true,\"userIds\":[" + alice.user().id() + "]}");
        assertEquals(reader == Reader.USER ? newestFirst(1, 4, 7, 10) : List.of(), own, caller.user().name());
    }
}
