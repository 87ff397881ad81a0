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

    /** A third author, besides alice and bob. */
    private Authenticator.Issued carol;
    /** Ids posted, in posting order: times T + 0, 10, 20, ... by alice, bob, carol in turn. */
    private final List<Long> ids = new ArrayList<>();

    @BeforeEach
    void postChat() {
        emptyStores();
        ids.clear();
        carol = stores.user("carol", Role.USER);
        List<Authenticator.Issued> authors = List.of(alice, bob, carol);
        for (long chat = 1; chat <= 4; chat++) {
            stores.members(chat, alice.user(), bob.user(), carol.user());
        }
        for (int i = 0; i < 12; i++) {
            stores.clock.set(T + 10L * i);
            Reply r = send("POST", "/chat/1/message", bearer(authors.get(i % 3)),
                    messageBody("m" + i, null));
            assertEquals(201, r.status(), r.body());
            ids.add(r.json().get("id").longValue());
        }
        stores.cache.readMarks().drain();
    }

    private List<Long> fetch(Reader reader, String body) {
        Reply r = send("POST", "/chat/1/messages", issued(reader), body);
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
        // finer than a millisecond: createdAt is whole milliseconds, so both bounds round up
        String t30Half = Instant.ofEpochMilli(T + 30).plusNanos(500_000).toString();
        String t10Half = Instant.ofEpochMilli(T + 10).plusNanos(500_000).toString();
        assertEquals(newestFirst(4, 5, 6, 7, 8, 9, 10, 11), fetch(reader, "{\"since\":\"" + t30Half + "\"}"));
        assertEquals(newestFirst(0, 1), fetch(reader, "{\"until\":\"" + t10Half + "\"}"));
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
        assertError(send("POST", "/chat/1/messages", ANONYMOUS, body), 400, body);
    }

    @ParameterizedTest
    @EnumSource(Reader.class)
    void onlyOwnWinsOverUserIds(Reader reader) {
        if (reader == Reader.ANONYMOUS) {
            assertError(send("POST", "/chat/1/messages", ANONYMOUS,
                    "{\"onlyOwn\":true,\"userIds\":[1]}"), 401, "anonymous onlyOwn");
            return;
        }
        Authenticator.Issued caller = reader == Reader.USER ? bob : api;
        List<Long> own = fetch(reader, "{\"onlyOwn\":true,\"userIds\":[" + alice.user().id() + "]}");
        assertEquals(reader == Reader.USER ? newestFirst(1, 4, 7, 10) : List.of(), own, caller.user().name());
    }

    // ------------------------------------------------------------------ explain

    private JsonNode explained(Reader reader, String body) {
        Reply r = send("POST", "/chat/1/messages", issued(reader), body);
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    @ParameterizedTest
    @EnumSource(Reader.class)
    void explainShowsBothTranslationsAndEachRunsAsShown(Reader reader) throws Exception {
        String filters = "\"userIds\":[" + alice.user().id() + "," + bob.user().id() + "],\"since\":" + (T + 20);
        for (String position : List.of("", ",\"before\":" + ids.get(9), ",\"around\":" + ids.get(6))) {
            String body = "{" + filters + ",\"limit\":3" + position + ",\"explain\":true}";
            JsonNode page = explained(reader, body);
            List<Long> pageIds = new ArrayList<>();
            page.get("messages").forEach(m -> pageIds.add(m.get("id").longValue()));
            JsonNode mysql = page.path("explain").path("mysql");
            JsonNode commands = page.path("explain").path("redis");
            assertEachRunsAsShownAndHoldsThePage(body, page);
            assertEquals(true, commands.toString().contains("@userId:{" + alice.user().id() + " | " + bob.user().id() + "}"), commands.toString());
            assertEquals(true, mysql.toString().contains("UNION ALL"), mysql.toString());
        }
    }

    /**
     * Every statement and command of the page's explain runs as shown, and together the MySQL
     * statements return every message of the page, as do the Redis searches (with the anchor's hash).
     */
    private void assertEachRunsAsShownAndHoldsThePage(String body, JsonNode page) throws Exception {
        List<Long> pageIds = new ArrayList<>();
        page.get("messages").forEach(m -> pageIds.add(m.get("id").longValue()));
        JsonNode mysql = page.path("explain").path("mysql");
        JsonNode commands = page.path("explain").path("redis");
        assertEquals(true, mysql.size() > 0 && commands.size() > 0, body + " -> " + page);
        java.util.Set<Long> fromMysql = new java.util.HashSet<>();
        try (java.sql.Connection c = stores.cache.database().dataSource().getConnection()) {
            for (JsonNode st : mysql) {
                try (java.sql.PreparedStatement ps = c.prepareStatement(st.get("sql").textValue())) {
                    int i = 1;
                    for (JsonNode p : st.get("parameters")) {
                        if (p.isTextual()) {
                            ps.setString(i++, p.textValue());
                        } else if (p.isBoolean()) {
                            ps.setBoolean(i++, p.booleanValue());
                        } else {
                            ps.setLong(i++, p.longValue());
                        }
                    }
                    try (java.sql.ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            fromMysql.add(rs.getLong("id"));
                        }
                    }
                }
            }
        }
        assertEquals(true, fromMysql.containsAll(pageIds), body + ": MySQL statements " + fromMysql + " page " + pageIds);
        java.util.Set<Long> fromRedis = new java.util.HashSet<>();
        // chat 1's group's Redis: every command of the page's explain names its keys (one node of a cluster)
        stores.redisOf(1).run((jedis, keys) -> {
            for (JsonNode command : commands) {
                List<String> args = new ArrayList<>();
                command.forEach(a -> args.add(a.textValue()));
                String name = args.remove(0);
                Object reply = jedis.sendCommand(() -> redis.clients.jedis.util.SafeEncoder.encode(name),
                        args.toArray(String[]::new));
                if (name.equals("HGETALL") && !((List<?>) reply).isEmpty()) {
                    fromRedis.add(Long.parseLong(args.get(0).substring(args.get(0).lastIndexOf(':') + 1))); // the anchor (messages:[{g<n>}:]<id>)
                }
                if (name.equals("EVALSHA") && args.get(args.size() - 1).equals("fetch")) {
                    // an unfiltered page of one list: the order index's call returns the keys, then their messages
                    List<?> found = (List<?>) reply;
                    int n = (found.size() - 2) / 2;
                    for (int k = 0; k < n; k++) {
                        if (((List<?>) found.get(2 + n + k)).get(0) != null) {
                            String key = redis.clients.jedis.util.SafeEncoder.encode((byte[]) found.get(2 + k));
                            fromRedis.add(chatcache.query.OrderKey.ofSortKey(key).id());
                        }
                    }
                }
                if (name.equals("FT.SEARCH")) {
                    List<?> found = (List<?>) reply;
                    for (int k = 1; k < found.size(); k += 2) {
                        String key = redis.clients.jedis.util.SafeEncoder.encode((byte[]) found.get(k));
                        fromRedis.add(Long.parseLong(key.substring(key.lastIndexOf(':') + 1))); // messages:[{g<n>}:]<id>
                    }
                }
            }
        });
        assertEquals(true, fromRedis.containsAll(pageIds), body + ": Redis searches " + fromRedis + " page " + pageIds);
    }

    // ------------------------------------------------------------------ read and text

    /** An anonymous reader's ids (marks nothing). */
    private List<Long> peek(String body) {
        return fetch(Reader.ANONYMOUS, body);
    }

    @ParameterizedTest
    @EnumSource(Reader.class)
    void readSelectsByTheFlagsAsTheyWereBeforeThisFetchMarks(Reader reader) {
        // carol reads the newest four: bob's 10 and alice's 9 become read (8 and 11 are her own)
        Reply r = send("POST", "/chat/1/messages", bearer(carol), "{\"limit\":4}");
        assertEquals(200, r.status(), r.body());
        stores.cache.readMarks().drain();
        assertEquals(newestFirst(9, 10), fetch(reader, "{\"read\":true}"));
        assertEquals(newestFirst(7, 8, 11), peek("{\"read\":false,\"limit\":3}"));
        Reply page = send("POST", "/chat/1/messages",
                reader == Reader.ANONYMOUS ? null : bearer(reader == Reader.USER ? bob : api), "{\"read\":false,\"limit\":3}");
        for (JsonNode m : page.json().get("messages")) {
            assertEquals(false, m.get("read").booleanValue(), "shown as before this fetch: " + page.body());
        }
        stores.cache.readMarks().drain();
        // that fetch marked what it showed of others' messages (bob's own 7 stays unread)
        List<Long> stillUnread = switch (reader) {
            case ANONYMOUS -> newestFirst(7, 8, 11);
            case USER -> newestFirst(5, 6, 7);
            case API -> newestFirst(4, 5, 6);
        };
        assertEquals(stillUnread, peek("{\"read\":false,\"limit\":3}"));
        String byAliceOrBob = "{\"read\":false,\"userIds\":[" + alice.user().id() + "," + bob.user().id()
                + "],\"limit\":2,\"before\":" + ids.get(8) + "}";
        assertEquals(reader == Reader.API ? newestFirst(4, 6) : newestFirst(6, 7), peek(byAliceOrBob));
    }

    @ParameterizedTest
    @EnumSource(Reader.class)
    void textMatchesEveryWordInAnyCaseWidthOrAccent(Reader reader) {
        List<Long> chat3 = new ArrayList<>();
        String[] texts = {"Привет, мир!", "привет café", "CAFE don't panic", "東京タワー", "ＰＲＩＶＥＴ naïve"};
        Authenticator.Issued[] authors = {alice, bob, alice, carol, bob};
        for (int i = 0; i < texts.length; i++) {
            stores.clock.set(T + 1_000 + i);
            Reply r = send("POST", "/chat/3/message", bearer(authors[i]), messageBody(texts[i], null));
            assertEquals(201, r.status(), r.body());
            chat3.add(r.json().get("id").longValue());
        }
        java.util.function.Function<String, List<Long>> text = body -> {
            Reply r = send("POST", "/chat/3/messages", issued(reader), body);
            assertEquals(200, r.status(), body + " -> " + r.body());
            assertEquals(reader.source, r.json().get("source").textValue(), r.body());
            List<Long> got = new ArrayList<>();
            r.json().get("messages").forEach(m -> got.add(m.get("id").longValue()));
            return got;
        };
        assertEquals(List.of(chat3.get(1), chat3.get(0)), text.apply("{\"text\":\"ПРИВЕТ\"}"));
        assertEquals(List.of(chat3.get(1)), text.apply("{\"text\":\"cafe, привет!\"}"));
        assertEquals(List.of(chat3.get(2), chat3.get(1)), text.apply("{\"text\":\"Café\"}"));
        assertEquals(List.of(chat3.get(2)), text.apply("{\"text\":\"DON'T\"}"));
        assertEquals(List.of(chat3.get(3)), text.apply("{\"text\":\"京\"}"));
        assertEquals(List.of(chat3.get(4)), text.apply("{\"text\":\"privet NAIVE\"}"));
        assertEquals(List.of(), text.apply("{\"text\":\"мира\"}"));
        assertEquals(List.of(chat3.get(1)), text.apply("{\"text\":\"café\",\"userIds\":[" + bob.user().id() + "]}"));
        assertEquals(List.of(chat3.get(0)), text.apply("{\"text\":\"привет\",\"before\":" + chat3.get(1) + "}"));
        assertEquals(List.of(chat3.get(1)), text.apply("{\"text\":\"привет\",\"after\":" + chat3.get(0) + "}"));
        assertEquals(List.of(chat3.get(2)), text.apply("{\"text\":\"cafe\",\"since\":" + (T + 1_002) + "}"));
    }

    @ParameterizedTest
    @EnumSource(Reader.class)
    void anEditChangesWhichWordsFindTheMessage(Reader reader) {
        Reply posted = send("POST", "/chat/4/message", bearer(alice), messageBody("alpha beta", null));
        long id = posted.json().get("id").longValue();
        Authenticator.Issued auth = issued(reader);
        Reply edit = send("PATCH", "/chat/4/message/" + id, bearer(alice), messageBody("beta gamma", null));
        assertEquals(200, edit.status(), edit.body());
        for (String[] c : new String[][] {{"alpha", "0"}, {"beta", "1"}, {"gamma", "1"}}) {
            Reply r = send("POST", "/chat/4/messages", auth, "{\"text\":\"" + c[0] + "\"}");
            assertEquals(Integer.parseInt(c[1]), r.json().get("messages").size(), c[0] + ": " + r.body());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"text\":\"\"}", "{\"text\":\"   \"}", "{\"text\":\"!!! 😀 👍🏽\"}",
            "{\"text\":\"a b c d e f\"}", "{\"text\":5}", "{\"text\":[\"a\"]}", "{\"read\":\"false\"}",
            "{\"read\":0}", "{\"read\":null,\"text\":{}}"})
    void malformedReadAndTextAre400(String body) {
        Reply r = send("POST", "/chat/1/messages", ANONYMOUS, body);
        assertError(r, 400, body);
    }

    @ParameterizedTest
    @EnumSource(Reader.class)
    void explainShowsTheWordAndReadFiltersInBothTranslations(Reader reader) throws Exception {
        for (String body : List.of("{\"text\":\"M5\",\"explain\":true}", "{\"read\":false,\"limit\":2,\"explain\":true}",
                "{\"read\":false,\"text\":\"m7\",\"before\":" + ids.get(9) + ",\"explain\":true}")) {
            JsonNode page = explained(reader, body);
            if (reader == Reader.ANONYMOUS || !body.contains("read")) {
                // (a reader's fetch marks what it returned, after which "read": false no longer finds it)
                assertEachRunsAsShownAndHoldsThePage(body, page);
            }
            String redis = page.path("explain").path("redis").toString();
            String mysql = page.path("explain").path("mysql").toString();
            if (body.contains("text")) {
                assertEquals(true, redis.contains("@words:{m") && mysql.contains("message_words"), redis + " / " + mysql);
            }
            if (body.contains("read")) {
                assertEquals(true, redis.contains("@read:{0}") && mysql.contains("is_read"), redis + " / " + mysql);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Reader.class)
    void noExplainUnlessAsked(Reader reader) {
        assertEquals(false, explained(reader, "{}").has("explain"));
        assertEquals(false, explained(reader, "{\"explain\":false}").has("explain"));
        assertError(send("POST", "/chat/1/messages", ANONYMOUS, "{\"explain\":1}"), 400, "explain 1");
    }
}
