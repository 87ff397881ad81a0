package chatcache.web;

import chatcache.user.Authenticator;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static chatcache.web.ApiClient.messageBody;
import static chatcache.web.ApiClient.Reply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each member's read marker over HTTP: readByMe, the marker's moves, POST .../read and GET /me/unread. */
class HttpReadMarkersIT extends LiveApp {
    private long chat;

    @BeforeEach
    void reset() {
        emptyStoresForChats();
        chat = create("private");
    }

    private long create(String visibility) {
        return chatWithMember(visibility, "t").get("id").longValue();
    }

    private long post(long chatId, Authenticator.Issued who, String text) {
        stores.clock.advance(1);
        Reply r = send("POST", "/chat/" + chatId + "/message", who, messageBody(text, null));
        assertEquals(201, r.status(), r.body());
        return r.json().get("id").longValue();
    }

    private List<JsonNode> page(long chatId, Authenticator.Issued who, String body) {
        Reply r = send("POST", "/chat/" + chatId + "/messages", who, body);
        assertEquals(200, r.status(), r.body());
        List<JsonNode> out = new ArrayList<>();
        r.json().get("messages").forEach(out::add);
        return out;
    }

    /** id -> readByMe, newest first. */
    private static List<String> readByMe(List<JsonNode> page) {
        return page.stream().map(m -> m.get("id").longValue() + "=" + m.path("readByMe").asText("absent")).toList();
    }

    private JsonNode unread(Authenticator.Issued who, String query) {
        Reply r = send("GET", "/me/unread" + query, who, null);
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    private JsonNode unreadOf(Authenticator.Issued who, long chatId) {
        for (JsonNode c : unread(who, "").get("chats")) {
            if (c.get("chatId").longValue() == chatId) {
                return c;
            }
        }
        throw new AssertionError("chat " + chatId + " missing from " + unread(who, ""));
    }

    @Test
    void aMembersFetchShowsWhatTheyHadSeenAndMovesTheirMarkerToTheNewestOfThePage() {
        long m1 = post(chat, owner, "one");
        long m2 = post(chat, owner, "two");
        long mine = post(chat, member, "mine");
        long m4 = post(chat, owner, "four");
        // nothing seen yet: only their own message is read by them
        assertEquals(List.of(m4 + "=false", mine + "=true"), readByMe(page(chat, member, "{\"limit\": 2}")));
        // the marker is at m4 now: everything at or before it is read by them, m5 is not
        long m5 = post(chat, owner, "five");
        assertEquals(List.of(m5 + "=false", m4 + "=true", mine + "=true", m2 + "=true", m1 + "=true"),
                readByMe(page(chat, member, "{}")));
        // an older page does not move the marker back
        page(chat, member, "{\"before\": " + m2 + "}");
        assertEquals(m5, unreadOf(member, chat).get("lastRead").longValue());
        // the owner's marker is their own: still nothing but their own messages read by them
        assertEquals(List.of(m5 + "=true", m4 + "=true", mine + "=false", m2 + "=true", m1 + "=true"),
                readByMe(page(chat, owner, "{}")));
    }

    @Test
    void readByMeIsForSignedInMembersOnly() {
        long open = create("public");
        post(open, owner, "hello");
        for (Authenticator.Issued who : new Authenticator.Issued[]{null, outsider, api}) {
            for (JsonNode m : page(open, who, "{}")) {
                assertFalse(m.has("readByMe"), m.toString());
            }
        }
        assertTrue(page(open, member, "{}").get(0).has("readByMe"));
    }

    @Test
    void postReadMovesTheMarkerForwardsOnly() {
        long m1 = post(chat, owner, "one");
        long m2 = post(chat, owner, "two");
        long m3 = post(chat, owner, "three");
        Reply r = send("POST", "/chat/" + chat + "/read", member, "{\"upTo\": " + m2 + "}");
        assertEquals(200, r.status(), r.body());
        assertEquals("{\"chatId\":" + chat + ",\"lastRead\":" + m2 + "}", r.body());
        assertEquals(1, unreadOf(member, chat).get("unread").longValue());
        // backwards: the marker stays
        r = send("POST", "/chat/" + chat + "/read", member, "{\"upTo\": " + m1 + "}");
        assertEquals(200, r.status(), r.body());
        assertEquals(m2, r.json().get("lastRead").longValue());
        assertEquals(List.of(m3 + "=false", m2 + "=true", m1 + "=true"), readByMe(page(chat, member, "{\"limit\": 3}")));
        assertEquals(m3, unreadOf(member, chat).get("lastRead").longValue(), "the fetch moved it to m3");
        assertEquals(0, unreadOf(member, chat).get("unread").longValue());
    }

    @Test
    void postReadRefusesWhatItShould() {
        long m1 = post(chat, owner, "one");
        long open = create("public");
        long elsewhere = post(open, owner, "in another chat");
        ApiClient.assertError(send("POST", "/chat/" + chat + "/read", member, "{\"upTo\": " + elsewhere + "}"), 404, "foreign id");
        ApiClient.assertError(send("POST", "/chat/" + chat + "/read", member, "{\"upTo\": 99999}"), 404, "unknown id");
        ApiClient.assertError(send("POST", "/chat/" + chat + "/read", ANONYMOUS, "{\"upTo\": " + m1 + "}"), 401, "anonymous");
        ApiClient.assertError(send("POST", "/chat/" + chat + "/read", outsider, "{\"upTo\": " + m1 + "}"), 404, "outsider, private");
        ApiClient.assertError(send("POST", "/chat/" + open + "/read", outsider, "{\"upTo\": " + elsewhere + "}"), 403, "outsider, public");
        ApiClient.assertError(send("POST", "/chat/" + open + "/read", api, "{\"upTo\": " + elsewhere + "}"), 403, "no member");
        for (String body : List.of("", "{}", "{\"upTo\": 0}", "{\"upTo\": \"1\"}", "{\"upTo\": 1, \"x\": 1}", "[]")) {
            ApiClient.assertError(send("POST", "/chat/" + chat + "/read", member, body), 400, body);
        }
    }

    @Test
    void unreadCountsMessagesByOthersAboveTheMarkerInEveryChatOfTheCaller() {
        long open = create("public");
        long notMine = create("public");
        assertEquals(204, send("DELETE", "/chat/" + notMine + "/members/" + member.user().id(), member, null).status());
        post(chat, owner, "one");
        long two = post(chat, owner, "two");
        post(chat, member, "my own does not count");
        post(open, owner, "a");
        post(notMine, owner, "not a member here");
        JsonNode all = unread(member, "");
        // by chat id (ids are random, so not in the order the chats were made)
        String chatEntry = "{\"chatId\":" + chat + ",\"unread\":2,\"lastRead\":null}";
        String openEntry = "{\"chatId\":" + open + ",\"unread\":1,\"lastRead\":null}";
        assertEquals("{\"chats\":[" + (chat < open ? chatEntry + "," + openEntry : openEntry + "," + chatEntry) + "]}",
                all.toString());
        send("POST", "/chat/" + chat + "/read", member, "{\"upTo\": " + two + "}");
        post(chat, owner, "three");
        post(chat, owner, "four");
        assertEquals(2, unreadOf(member, chat).get("unread").longValue());
        assertEquals(two, unreadOf(member, chat).get("lastRead").longValue());
        // narrowed; chats the caller is no member of are left out, not refused
        assertEquals("{\"chats\":[{\"chatId\":" + open + ",\"unread\":1,\"lastRead\":null}]}",
                unread(member, "?chatIds=" + open + "," + notMine + ",424242").toString());
        // a deleted message no longer counts
        long five = post(chat, owner, "five");
        assertEquals(3, unreadOf(member, chat).get("unread").longValue());
        assertEquals(204, send("DELETE", "/chat/" + chat + "/message/" + five, owner, null).status());
        assertEquals(2, unreadOf(member, chat).get("unread").longValue());
    }

    @Test
    void unreadByMeSelectsMessagesByOthersAfterTheMarkerAndCombinesWithTheRest() {
        long m1 = post(chat, owner, "one");
        long m2 = post(chat, owner, "two привет");
        long mine = post(chat, member, "mine");
        long m3 = post(chat, owner, "three привет");
        long m4 = post(chat, owner, "four");
        send("POST", "/chat/" + chat + "/read", member, "{\"upTo\": " + m2 + "}");
        List<JsonNode> unread = page(chat, member, "{\"unreadByMe\": true, \"limit\": 1}");
        assertEquals(List.of(m4 + "=false"), readByMe(unread));
        // the fetch moved the marker to m4: nothing unread is left
        assertEquals(List.of(), page(chat, member, "{\"unreadByMe\": true}"));
        send("POST", "/chat/" + chat + "/read", member, "{\"upTo\": " + m1 + "}"); // backwards: stays at m4
        long m5 = post(chat, owner, "five привет");
        long m6 = post(chat, owner, "six");
        assertEquals(List.of(m5 + "=false"), readByMe(page(chat, member, "{\"unreadByMe\": true, \"text\": \"привет\"}")));
        assertEquals(List.of(m6 + "=false"), readByMe(page(chat, member, "{\"unreadByMe\": true, \"after\": " + m5 + "}")));
        // false is no filter
        assertEquals(7, page(chat, member, "{\"unreadByMe\": false}").size());
        assertTrue(mine > 0 && m3 > 0);
    }

    @Test
    void unreadByMeIsForMembers() {
        long open = create("public");
        post(open, owner, "hello");
        ApiClient.assertError(send("POST", "/chat/" + open + "/messages", ANONYMOUS, "{\"unreadByMe\": true}"), 401, "anonymous");
        ApiClient.assertError(send("POST", "/chat/" + open + "/messages", outsider, "{\"unreadByMe\": true}"), 403, "non-member");
        ApiClient.assertError(send("POST", "/chat/" + open + "/messages", api, "{\"unreadByMe\": true}"), 403, "api, no member");
        ApiClient.assertError(send("POST", "/chat/" + chat + "/messages", outsider, "{\"unreadByMe\": true}"), 404, "private");
        ApiClient.assertError(send("POST", "/chat/" + open + "/messages", member, "{\"unreadByMe\": 1}"), 400, "not a boolean");
        assertEquals(1, page(open, member, "{\"unreadByMe\": true}").size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"?chatIds=", "?chatIds=a", "?chatIds=0", "?chatIds=1,,2", "?chatIds=-1", "?other=1",
            "?chatIds=1&chatIds=2"})
    void malformedUnreadQueriesAre400(String query) {
        ApiClient.assertError(send("GET", "/me/unread" + query, member, null), 400, query);
    }

    @Test
    void unreadNamesAtMost100Chats() {
        StringBuilder ids = new StringBuilder();
        for (int i = 1; i <= 101; i++) {
            ids.append(i == 1 ? "" : ",").append(i);
        }
        ApiClient.assertError(send("GET", "/me/unread?chatIds=" + ids, member, null), 400, "101 chats");
        assertEquals(200, send("GET", "/me/unread?chatIds=" + ids.substring(0, ids.lastIndexOf(",")), member, null).status());
        ApiClient.assertError(send("GET", "/me/unread", ANONYMOUS, null), 401, "anonymous");
    }

    @Test
    void unreadOnTheRedisRouteAsksMySqlNothingAndAgreesWithTheMySqlRoute() {
        List<Long> chats = new ArrayList<>(List.of(chat));
        for (int i = 0; i < 9; i++) {
            chats.add(create(i % 2 == 0 ? "public" : "private"));
        }
        for (int i = 0; i < 40; i++) {
            post(chats.get(i % chats.size()), i % 3 == 0 ? member : owner, "m" + i);
        }
        page(chats.get(3), member, "{\"limit\": 2}");
        stores.cache.readMarks().drain(); // the marker the fetch moved in Redis reaches MySQL
        JsonNode fromRedis = unread(member, "");
        long before = stores.mysqlSelects();
        for (int i = 0; i < 20; i++) {
            assertEquals(fromRedis, unread(member, ""));
        }
        assertTrue(stores.mysqlSelects() - before <= 3, (stores.mysqlSelects() - before) + " MySQL SELECTs for 20 unread counts from Redis");
        List<chatcache.chat.Unread> inMysql = stores.cache.chatStore().unread(member.user().id(), List.of());
        assertEquals(10, inMysql.size());
        for (int i = 0; i < inMysql.size(); i++) {
            JsonNode c = fromRedis.get("chats").get(i);
            assertEquals(inMysql.get(i).chatId(), c.get("chatId").longValue());
            assertEquals(inMysql.get(i).unread(), c.get("unread").longValue(), c.toString());
            assertEquals(inMysql.get(i).lastRead(), c.get("lastRead").isNull() ? null : c.get("lastRead").longValue());
        }
    }
}
