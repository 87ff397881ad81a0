package chatcache.web;

import chatcache.support.TestStores;
import chatcache.user.Authenticator;
import chatcache.user.Role;
import chatcache.web.ApiClient.Reply;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;

import static chatcache.web.ApiClient.bearer;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The real web app over the test stores, started once per test class on a free port of 127.0.0.1
 * and spoken to with {@link #http} at {@link #base}: what every functional HTTP test extends. Every
 * answer must conform to the OpenAPI document ({@link OpenApiConformance}).
 *
 * <p>It also holds the people the tests sign up and the requests most of them make, so that a test
 * class keeps only its tests and what is its own.
 */
@ExtendWith(OpenApiConformance.class)
abstract class LiveApp {
    static TestStores stores;
    static Javalin app;
    static HttpClient http;
    static URI base;

    /** No one signed in: a request without an Authorization header. */
    static final Authenticator.Issued ANONYMOUS = null;

    /** Who posts and reads, after {@link #emptyStores()}: two users, alice and bob, and backoffice, an API client. */
    Authenticator.Issued alice;
    Authenticator.Issued bob;
    Authenticator.Issued api;

    /** Who a chat's rules are tested with, after {@link #emptyStoresForChats()}: its owner, a member, an outsider (and {@link #api}). */
    Authenticator.Issued owner;
    Authenticator.Issued member;
    Authenticator.Issued outsider;

    @BeforeAll
    static void startApp() {
        stores = TestStores.get();
        app = ApiClient.startApp(stores, HttpLimits.DEFAULT);
        base = URI.create("http://127.0.0.1:" + app.port());
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stopApp() {
        if (app != null) {
            app.stop();
            app = null;
        }
    }

    // ------------------------------------------------------------------ who

    /** Empties both stores and signs up alice, bob and backoffice again. */
    void emptyStores() {
        stores.reset();
        alice = stores.user("alice", Role.USER);
        bob = stores.user("bob", Role.USER);
        api = stores.user("backoffice", Role.API);
    }

    /** Empties both stores and signs up olga (the owner), mike (a member), otto (an outsider) and backoffice. */
    void emptyStoresForChats() {
        stores.reset();
        owner = stores.user("olga", Role.USER);
        member = stores.user("mike", Role.USER);
        outsider = stores.user("otto", Role.USER);
        api = stores.user("backoffice", Role.API);
    }

    /** A nested class whose tests each start with empty stores. */
    abstract class EmptyForEach {
        @BeforeEach
        void startEmpty() {
            emptyStores();
        }
    }

    /**
     * A nested class whose tests share stores emptied once (which keeps the class fast): its tests
     * must change nothing another of them reads.
     */
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    abstract class SharedStores {
        @BeforeAll
        void startEmptyOnce() {
            emptyStores();
        }
    }

    /** Who asks as this kind of reader: bob as a signed-in user, backoffice as the API client. */
    Authenticator.Issued issued(Reader reader) {
        return switch (reader) {
            case ANONYMOUS -> null;
            case USER -> bob;
            case API -> api;
        };
    }

    /** A header value from a template: "<none>" for no header, {token} for alice's valid token. */
    String authorization(String template) {
        return template.equals("<none>") ? null : template.replace("{token}", alice.token());
    }

    // ------------------------------------------------------------------ requests

    /** A request with this Authorization header as written (null: none). */
    static Reply send(String method, String path, String authorization, String body) {
        return ApiClient.send(http, base, method, path, authorization, body);
    }

    /** A request as this caller ({@link #ANONYMOUS}: none). */
    static Reply send(String method, String path, Authenticator.Issued who, String body) {
        return send(method, path, who == null ? null : bearer(who), body);
    }

    /** Makes the author a member of the chat (making the chat if need be), then posts as them. */
    static Reply postAsMember(long chatId, Authenticator.Issued author, String body) {
        if (author == null) {
            stores.members(chatId);
        } else {
            stores.members(chatId, author.user());
        }
        return send("POST", "/chat/" + chatId + "/message", author, body);
    }

    static Reply edit(long chatId, long messageId, Authenticator.Issued caller, String body) {
        return send("PATCH", "/chat/" + chatId + "/message/" + messageId, caller, body);
    }

    static Reply delete(long chatId, long messageId, Authenticator.Issued caller) {
        return send("DELETE", "/chat/" + chatId + "/message/" + messageId, caller, null);
    }

    /** POST /chat/{chatId}/messages as this kind of reader. */
    Reply fetch(long chatId, Reader reader, String body) {
        return send("POST", "/chat/" + chatId + "/messages", issued(reader), body);
    }

    /** A chat the owner made over HTTP, with the member added by the owner: the chat as created. */
    JsonNode chatWithMember(String visibility, String title) {
        Reply created = send("POST", "/chats", owner, "{\"visibility\": \"" + visibility + "\", \"title\": \"" + title + "\"}");
        assertEquals(201, created.status(), created.body());
        long id = created.json().get("id").longValue();
        assertEquals(204, send("PUT", "/chat/" + id + "/members/" + member.user().id(), owner, null).status());
        return created.json();
    }
}
