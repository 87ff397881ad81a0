package chatcache.web;

import chatcache.user.Authenticator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static chatcache.web.ApiClient.assertError;
import static chatcache.web.ApiClient.fieldNames;
import static chatcache.web.ApiClient.messageBody;
import static chatcache.web.ApiClient.Reply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Chats with members over HTTP: README's rules table cell by cell, the member routes, and what outsiders never learn. */
class HttpChatsIT extends LiveApp {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Who calls: README's table's rows. */
    enum Who { ANONYMOUS, NON_MEMBER, MEMBER, API }

    @BeforeEach
    void reset() {
        emptyStoresForChats();
    }

    private Authenticator.Issued as(Who who) {
        return switch (who) {
            case ANONYMOUS -> null;
            case NON_MEMBER -> outsider;
            case MEMBER -> member;
            case API -> api;
        };
    }

    /** A chat made by {@code owner} over HTTP, with {@code member} added by the owner. */
    private JsonNode chat(String visibility) {
        return chatWithMember(visibility, "the " + visibility + " one");
    }

    private static String post(String text) {
        return messageBody(text, null);
    }

    private long posted(long chatId, Authenticator.Issued who, String text) {
        Reply r = send("POST", "/chat/" + chatId + "/message", who, post(text));
        assertEquals(201, r.status(), r.body());
        return r.json().get("id").longValue();
    }

    private List<Long> fetched(Reply r) {
        assertEquals(200, r.status(), r.body());
        List<Long> ids = new ArrayList<>();
        r.json().get("messages").forEach(m -> ids.add(m.get("id").longValue()));
        return ids;
    }

    // ------------------------------------------------------------------ creating and showing chats

    /**
     * Issue #21, item 6: a chat's id tells an outsider nothing about other chats. Ids are drawn at
     * random from [10^12, 10^14) (exact in JSON and in Redis's Lua), so the ids next to one's own
     * chat are no chats at all, and the ids of chats made one after another are far apart.
     */
    @Test
    void chatIdsAreRandomSoNeighboursRevealNothing() {
        List<Long> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(chat(i % 2 == 0 ? "private" : "public").get("id").longValue());
        }
        for (long id : ids) {
            assertTrue(id >= 1_000_000_000_000L && id < 100_000_000_000_000L, "id " + id);
        }
        java.util.Collections.sort(ids);
        for (int i = 1; i < ids.size(); i++) {
            assertTrue(ids.get(i) - ids.get(i - 1) > 1_000, "ids close together: " + ids);
        }
        long mine = chat("public").get("id").longValue();
        for (long probe = mine - 3; probe <= mine + 3; probe++) {
            if (probe != mine) {
                assertEquals(404, send("GET", "/chat/" + probe, outsider, null).status(), "chat " + probe);
            }
        }
    }

    @Test
    void aUserCreatesAChatItOwnsAndIsTheFirstMemberOf() {
        Reply r = send("POST", "/chats", owner, "{\"visibility\": \"private\", \"title\": \"Plans ✈\"}");
        assertEquals(201, r.status(), r.body());
        assertEquals(java.util.Set.of("id", "title", "visibility", "ownerId", "members"), fieldNames(r.json()));
        assertEquals("Plans ✈", r.json().get("title").textValue());
        assertEquals("private", r.json().get("visibility").textValue());
        assertEquals(owner.user().id(), r.json().get("ownerId").longValue());
        assertEquals(1, r.json().get("members").intValue());
        long id = r.json().get("id").longValue();
        assertTrue(id > 0);
        // the same object for whoever may read it, from either route
        assertEquals(r.json(), send("GET", "/chat/" + id, owner, null).json());
        assertEquals(r.json(), send("GET", "/chat/" + id, api, null).json());
        Reply members = send("GET", "/chat/" + id + "/members", owner, null);
        assertEquals(200, members.status(), members.body());
        assertEquals("{\"members\":[{\"userId\":" + owner.user().id() + ",\"role\":\"owner\"}]}", members.body());
    }

    @Test
    void anApiClientCreatesAChatOwnedByNoOne() {
        Reply r = send("POST", "/chats", api, "{\"visibility\": \"public\", \"title\": \"Announcements\"}");
        assertEquals(201, r.status(), r.body());
        assertTrue(r.json().get("ownerId").isNull(), r.body());
        assertEquals(0, r.json().get("members").intValue());
        assertEquals(r.json(), send("GET", "/chat/" + r.json().get("id").longValue(), ANONYMOUS, null).json());
    }

    @Test
    void chatsThatOlderMessagesNamedArePublicAndOwnedByNoOne() {
        // the fixture's chats are what the migration makes of them (MigrationIT tests the migration)
        Reply r = send("GET", "/chat/7", ANONYMOUS, null);
        assertEquals(200, r.status(), r.body());
        assertEquals("public", r.json().get("visibility").textValue());
        assertTrue(r.json().get("ownerId").isNull());
        assertEquals(0, r.json().get("members").intValue());
    }

    @Test
    void anonymousCallersCreateNothing() {
        assertError(send("POST", "/chats", ANONYMOUS, "{\"visibility\": \"public\", \"title\": \"x\"}"), 401);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{}", "[]", "{\"title\": \"x\"}", "{\"visibility\": \"public\"}",
            "{\"visibility\": \"secret\", \"title\": \"x\"}", "{\"visibility\": \"PUBLIC\", \"title\": \"x\"}",
            "{\"visibility\": true, \"title\": \"x\"}", "{\"visibility\": \"public\", \"title\": 5}",
            "{\"visibility\": \"public\", \"title\": \"   \"}", "{\"visibility\": \"public\", \"title\": \"a\\u0000b\"}",
            "{\"visibility\": \"public\", \"title\": \"x\", \"owner\": 1}", "{\"visibility\": \"public\", \"title\": null}"})
    void malformedChatsAre400(String body) {
        assertError(send("POST", "/chats", owner, body), 400, body);
    }

    @Test
    void aTitleHoldsUpTo200Characters() {
        String longest = "é".repeat(200);
        assertEquals(201, send("POST", "/chats", owner, "{\"visibility\": \"public\", \"title\": \"" + longest + "\"}").status());
        assertError(send("POST", "/chats", owner, "{\"visibility\": \"public\", \"title\": \"" + longest + "x\"}"), 400);
    }

    // ------------------------------------------------------------------ README's table, every cell

    static Stream<Arguments> cells() {
        // who, visibility, may read, may post
        return Stream.of(
                Arguments.of(Who.ANONYMOUS, "public", true, false),
                Arguments.of(Who.NON_MEMBER, "public", true, false),
                Arguments.of(Who.MEMBER, "public", true, true),
                Arguments.of(Who.API, "public", true, true),
                Arguments.of(Who.ANONYMOUS, "private", false, false),
                Arguments.of(Who.NON_MEMBER, "private", false, false),
                Arguments.of(Who.MEMBER, "private", true, true),
                Arguments.of(Who.API, "private", true, true));
    }

    @ParameterizedTest(name = "{0} in a {1} chat: read {2}, post {3}")
    @MethodSource("cells")
    void theRulesTable(Who who, String visibility, boolean mayRead, boolean mayPost) {
        long chat = chat(visibility).get("id").longValue();
        long first = posted(chat, owner, "the owner's words");
        Authenticator.Issued caller = as(who);
        Reply read = send("POST", "/chat/" + chat + "/messages", caller, null);
        Reply shown = send("GET", "/chat/" + chat, caller, null);
        if (mayRead) {
            assertEquals(List.of(first), fetched(read));
            assertEquals(who == Who.API ? "mysql" : "redis", read.json().get("source").textValue());
            assertEquals(200, shown.status(), shown.body());
            assertEquals(chat, shown.json().get("id").longValue());
        } else {
            assertHidden(read, chat);
            assertHidden(shown, chat);
        }
        Reply wrote = send("POST", "/chat/" + chat + "/message", caller, post("from " + who));
        if (mayPost) {
            assertEquals(201, wrote.status(), wrote.body());
        } else if (who == Who.ANONYMOUS) {
            assertError(wrote, 401);
        } else if (mayRead) {
            assertError(wrote, 403);
        } else {
            assertHidden(wrote, chat);
        }
        // nothing was stored by a refused post
        Reply all = send("POST", "/chat/" + chat + "/messages", api, null);
        assertEquals(mayPost ? 2 : 1, fetched(all).size());
    }

    /** The answer for a chat the caller may not read: the same as for no chat at all, apart from the number. */
    private void assertHidden(Reply r, long chatId) {
        assertError(r, 404);
        Reply none = send("GET", "/chat/999999", ANONYMOUS, null);
        assertEquals(none.body().replace("999999", "#"), r.body().replace(Long.toString(chatId), "#"));
    }

    @ParameterizedTest
    @MethodSource("everyone")
    void aChatThatDoesNotExistIs404ForEveryRoute(Who who) {
        Authenticator.Issued caller = as(who);
        for (String[] route : new String[][]{{"GET", "/chat/424242"}, {"POST", "/chat/424242/messages"},
                {"GET", "/chat/424242/members"}}) {
            assertError(send(route[0], route[1], caller, null), 404, String.join(" ", route));
        }
        if (caller != null) {
            assertError(send("POST", "/chat/424242/message", caller, post("into nothing")), 404);
            assertError(send("PUT", "/chat/424242/members/" + member.user().id(), caller, null), 404);
            assertError(send("DELETE", "/chat/424242/members/" + member.user().id(), caller, null), 404);
            assertError(send("PATCH", "/chat/424242/message/1", caller, post("x")), 404);
            assertError(send("DELETE", "/chat/424242/message/1", caller, null), 404);
        }
    }

    static Stream<Who> everyone() {
        return Stream.of(Who.values());
    }

    // ------------------------------------------------------------------ members

    @Test
    void theOwnerAddsAMemberWhoThenPostsAndRemovesThemWhoThenCannot() {
        long chat = chat("private").get("id").longValue();
        long mine = posted(chat, member, "a member's words");
        assertEquals(2, send("GET", "/chat/" + chat, member, null).json().get("members").intValue());
        Reply list = send("GET", "/chat/" + chat + "/members", member, null);
        assertEquals(200, list.status());
        assertEquals(List.of(owner.user().id(), member.user().id()),
                list.json().get("members").findValues("userId").stream().map(JsonNode::longValue).toList());
        assertEquals(List.of("owner", "member"), list.json().get("members").findValues("role").stream().map(JsonNode::textValue).toList());

        assertEquals(204, send("DELETE", "/chat/" + chat + "/members/" + member.user().id(), owner, null).status());
        // at once, on both routes: the removed member reads, posts, edits, lists nothing there
        assertHidden(send("POST", "/chat/" + chat + "/messages", member, null), chat);
        assertHidden(send("GET", "/chat/" + chat, member, null), chat);
        assertHidden(send("POST", "/chat/" + chat + "/message", member, post("still here?")), chat);
        assertHidden(send("PATCH", "/chat/" + chat + "/message/" + mine, member, post("edited")), chat);
        assertHidden(send("GET", "/chat/" + chat + "/members", member, null), chat);
        assertEquals(1, send("GET", "/chat/" + chat, api, null).json().get("members").intValue());
    }

    @Test
    void aMemberRemovedFromAPublicChatReadsButNoLongerPostsOrEdits() {
        long chat = chat("public").get("id").longValue();
        long mine = posted(chat, member, "before leaving");
        assertEquals(204, send("DELETE", "/chat/" + chat + "/members/" + member.user().id(), member, null).status());
        assertEquals(List.of(mine), fetched(send("POST", "/chat/" + chat + "/messages", member, null)));
        assertError(send("POST", "/chat/" + chat + "/message", member, post("after leaving")), 403);
        assertError(send("PATCH", "/chat/" + chat + "/message/" + mine, member, post("edited")), 403);
        assertError(send("GET", "/chat/" + chat + "/members", member, null), 403);
        // the author may still delete their own message
        assertEquals(204, send("DELETE", "/chat/" + chat + "/message/" + mine, member, null).status());
    }

    @Test
    void onlyTheOwnerAndApiClientsAddOrRemoveOthers() {
        long chat = chat("public").get("id").longValue();
        long otto = outsider.user().id();
        assertError(send("PUT", "/chat/" + chat + "/members/" + otto, member, null), 403);
        assertError(send("PUT", "/chat/" + chat + "/members/" + otto, outsider, null), 403);
        assertError(send("PUT", "/chat/" + chat + "/members/" + otto, ANONYMOUS, null), 401);
        assertEquals(204, send("PUT", "/chat/" + chat + "/members/" + otto, api, null).status());
        // again: nothing changes, still 204
        assertEquals(204, send("PUT", "/chat/" + chat + "/members/" + otto, owner, null).status());
        assertEquals(3, send("GET", "/chat/" + chat, ANONYMOUS, null).json().get("members").intValue());
        assertError(send("DELETE", "/chat/" + chat + "/members/" + otto, member, null), 403);
        assertEquals(204, send("DELETE", "/chat/" + chat + "/members/" + otto, api, null).status());
        assertEquals(204, send("DELETE", "/chat/" + chat + "/members/" + otto, api, null).status());
        assertEquals(2, send("GET", "/chat/" + chat, ANONYMOUS, null).json().get("members").intValue());
    }

    @Test
    void theOwnerCannotBeRemovedAndUnknownUsersCannotBeAdded() {
        long chat = chat("private").get("id").longValue();
        assertError(send("DELETE", "/chat/" + chat + "/members/" + owner.user().id(), owner, null), 409);
        assertError(send("DELETE", "/chat/" + chat + "/members/" + owner.user().id(), api, null), 409);
        assertError(send("PUT", "/chat/" + chat + "/members/987654", owner, null), 404);
        assertError(send("PUT", "/chat/" + chat + "/members/0", owner, null), 400);
        assertError(send("PUT", "/chat/" + chat + "/members/x", owner, null), 400);
        // outsiders learn nothing of a private chat's members
        assertHidden(send("GET", "/chat/" + chat + "/members", outsider, null), chat);
        assertHidden(send("GET", "/chat/" + chat + "/members", ANONYMOUS, null), chat);
        assertHidden(send("PUT", "/chat/" + chat + "/members/" + outsider.user().id(), outsider, null), chat);
        assertHidden(send("DELETE", "/chat/" + chat + "/members/" + member.user().id(), outsider, null), chat);
        assertEquals(200, send("GET", "/chat/" + chat + "/members", api, null).status());
    }

    // ------------------------------------------------------------------ what outsiders never learn

    @Test
    void anchorsAndExplainOfAPrivateChatRevealNothing() {
        long secret = chat("private").get("id").longValue();
        long hidden = posted(secret, member, "a secret");
        long open = chat("public").get("id").longValue();
        posted(open, member, "in the open");
        for (String position : List.of("before", "after", "around")) {
            Reply viaOpen = send("POST", "/chat/" + open + "/messages", outsider, "{\"" + position + "\": " + hidden + "}");
            Reply unknown = send("POST", "/chat/" + open + "/messages", outsider, "{\"" + position + "\": 99999999}");
            assertError(viaOpen, 404);
            assertEquals(unknown.body().replace("message 99999999 ", "message # "),
                    viaOpen.body().replace("message " + hidden + " ", "message # "));
            assertHidden(send("POST", "/chat/" + secret + "/messages", outsider,
                    "{\"" + position + "\": " + hidden + ", \"explain\": true}"), secret);
        }
        assertHidden(send("DELETE", "/chat/" + secret + "/message/" + hidden, outsider, null), secret);
        assertEquals(List.of(hidden), fetched(send("POST", "/chat/" + secret + "/messages", api, null)));
    }

    @Test
    void noChatIdTellsAnOutsiderWhetherAPrivateChatIsThere() {
        List<Long> privateChats = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long chat = chat("private").get("id").longValue();
            posted(chat, member, "secret " + i);
            privateChats.add(chat);
        }
        Random random = new Random();
        long seed = random.nextLong();
        random.setSeed(seed);
        for (int i = 0; i < 60; i++) {
            long chat = i < privateChats.size() ? privateChats.get(i) : 101 + random.nextInt(50);
            boolean publicChat = chat <= chatcache.support.TestStores.OPEN_CHATS;
            Authenticator.Issued caller = random.nextBoolean() ? null : outsider;
            String[][] routes = {{"GET", "/chat/" + chat}, {"POST", "/chat/" + chat + "/messages"},
                    {"GET", "/chat/" + chat + "/members"}};
            for (String[] route : routes) {
                Reply r = send(route[0], route[1], caller, null);
                if (!publicChat) {
                    Reply none = send(route[0], route[1].replace("/chat/" + chat, "/chat/999999"), caller, null);
                    assertEquals(404, r.status(), "seed " + seed + ": " + String.join(" ", route));
                    assertEquals(none.body().replace("999999", "#"), r.body().replace(Long.toString(chat), "#"),
                            "seed " + seed + ": " + String.join(" ", route));
                }
            }
        }
    }

    // ------------------------------------------------------------------ the Redis route asks Redis

    @Test
    void theRedisRouteChecksAccessWithoutMySql() {
        long chat = chat("private").get("id").longValue();
        posted(chat, member, "hello");
        send("POST", "/chat/" + chat + "/messages", member, null); // warm: marks, token cache
        stores.cache.readMarks().drain();
        long before = stores.mysqlSelects();
        for (int i = 0; i < 20; i++) {
            assertEquals(200, send("POST", "/chat/" + chat + "/messages", member, "{\"limit\": 5}").status());
            assertEquals(200, send("GET", "/chat/" + chat, member, null).status());
            assertEquals(404, send("POST", "/chat/" + chat + "/messages", outsider, null).status());
            assertEquals(404, send("POST", "/chat/" + chat + "/messages", ANONYMOUS, null).status());
        }
        // why not exactly 0: the connection pool may open a connection meanwhile (its driver runs a few SELECTs)
        assertTrue(stores.mysqlSelects() - before <= 3, (stores.mysqlSelects() - before) + " MySQL SELECTs for 80 Redis-route requests");
    }

    @Test
    void withoutAChatCopyInRedisTheRedisRouteAsksMySql() {
        long chat = chat("private").get("id").longValue();
        long id = posted(chat, member, "hello");
        stores.redisOf(chat).run((jedis, keys) -> jedis.del(keys.complete())); // as while Redis is being rebuilt
        assertEquals(List.of(id), fetched(send("POST", "/chat/" + chat + "/messages", member, null)));
        assertHidden(send("POST", "/chat/" + chat + "/messages", outsider, null), chat);
    }
}
