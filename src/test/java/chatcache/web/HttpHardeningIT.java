package chatcache.web;

import chatcache.support.TestStores;
import chatcache.user.Authenticator;
import chatcache.user.Role;
import chatcache.user.Tokens;
import chatcache.web.RawHttp.Answer;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #14, item by item, against the real app over raw sockets: bounded bodies whatever the
 * framing, slow clients cut off, made-up tokens that cost MySQL nothing, no 500s, strict UTF-8,
 * JSON errors before routing, no method override, security headers, refused characters. Every
 * answer must conform to the OpenAPI document ({@link OpenApiConformance}).
 */
@ExtendWith(OpenApiConformance.class)
class HttpHardeningIT {
    /**
     * Short limits so that the slow-client tests take seconds, not tens: 4 s for a body (the rate
     * check, after its 2 s grace, cuts a trickler first), 1 s without a byte.
     */
    private static final HttpLimits LIMITS = new HttpLimits(64 * 1024, 4_000, 1_000, 1_024);
    private static final int MAX = LIMITS.maxBodyBytes();

    @RegisterExtension
    static final RawApp app = new RawApp(LIMITS);

    private static final TestStores stores = TestStores.get();
    private Authenticator.Issued alice;

    @BeforeEach
    void emptyStores() {
        stores.reset();
        alice = stores.user("alice", Role.USER);
        stores.members(1, alice.user());
    }

    // ------------------------------------------------------------------ 1. bounded bodies

    private static final List<String> ROUTES = List.of(
            "POST /chat/1/messages", "POST /chat/1/message", "PATCH /chat/1/message/1", "DELETE /chat/1/message/1",
            "GET /health", "POST /no/such/route");

    @Test
    void aChunkedBodyPastTheLimitIsRefusedWith413OnEveryRouteWithoutBeingReadWhole() {
        for (String route : ROUTES) {
            // 64 KiB + 1 of JSON-looking bytes, then the stream stays open: the answer must not wait for an end
            byte[] first = jsonPadding(MAX + 1);
            Answer a = app.raw().send((route + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                            + "Authorization: Bearer " + alice.token() + "\r\n").getBytes(StandardCharsets.ISO_8859_1),
                    (out, answered) -> {
                        byte[] chunks = RawHttp.chunked(first, 4096);
                        out.write(chunks, 0, chunks.length - 5); // everything but the closing zero chunk
                        out.flush();
                    }, 5_000);
            assertError(a, 413, route);
        }
    }

    @Test
    void aChunkedBodyOfManyMegabytesIsCutOffAtTheLimit() {
        byte[] chunk = RawHttp.chunked(jsonPadding(64 * 1024), 64 * 1024);
        byte[] oneChunk = java.util.Arrays.copyOf(chunk, chunk.length - 5);
        int[] sent = {0};
        Answer a = app.raw().send("POST /chat/1/messages HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                .getBytes(StandardCharsets.ISO_8859_1), (out, answered) -> {
            // up to 200 MB, as the report sent, until the server answers
            for (; sent[0] < 3_200 && !answered.getAsBoolean(); sent[0]++) {
                out.write(oneChunk);
                out.flush();
            }
        }, 10_000);
        assertError(a, 413, "200 MB chunked");
        assertTrue(sent[0] < 3_200, "the server answered only after the whole 200 MB body");
    }

    @ParameterizedTest
    @ValueSource(strings = {"65537", "2147483648", "4294967296", "999999999999999999"})
    void aContentLengthPastTheLimitIsRefusedBeforeTheBodyIsSent(String length) {
        Answer a = app.raw().send("POST /chat/1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + "\r\n", new byte[0]);
        assertError(a, 413, "Content-Length " + length);
    }

    @Test
    void aBodyOfExactlyTheLimitIsRead() {
        String json = "{\"limit\":5" + " ".repeat(MAX - 11) + "}";
        assertEquals(MAX, json.length());
        Answer a = app.raw().send("POST /chat/1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: " + MAX + "\r\n",
                json.getBytes(StandardCharsets.UTF_8));
        assertEquals(200, a.status(), a.toString());
        Answer chunked = app.raw().send("POST /chat/1/messages HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n",
                RawHttp.chunked(json.getBytes(StandardCharsets.UTF_8), 1000));
        assertEquals(200, chunked.status(), chunked.toString());
    }

    // ------------------------------------------------------------------ 2. slow bodies

    @Test
    void aClientThatStopsSendingIsAnsweredWith408Json() {
        long start = System.nanoTime();
        Answer a = app.raw().send("POST /chat/1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
                .getBytes(StandardCharsets.ISO_8859_1), (out, answered) -> out.write('{'), 8_000);
        assertError(a, 408, "silent client");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 5_000, "cut off after " + millis + " ms");
    }

    @Test
    void aClientThatTricklesItsBodyIsCutOffWithin408Json() {
        long start = System.nanoTime();
        long[] answeredAfter = {-1};
        Answer a = app.raw().send("POST /chat/1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
                .getBytes(StandardCharsets.ISO_8859_1), (out, answered) -> {
            out.write('{');
            // one byte every 200 ms for up to 10 s: below 1 KiB/s, and never idle for 1 s
            for (int i = 0; i < 50; i++) {
                out.flush();
                Thread.sleep(200); // why: the client's pace is what is under test, not synchronisation
                if (answered.getAsBoolean()) {
                    answeredAfter[0] = (System.nanoTime() - start) / 1_000_000;
                    return;
                }
                out.write(' ');
            }
        }, 15_000);
        assertError(a, 408, "trickling client");
        assertTrue(answeredAfter[0] >= 0 && answeredAfter[0] < 5_000,
                "still reading a trickling body after " + answeredAfter[0] + " ms (-1: 10 s)");
    }

    @Test
    void aSmallBodyInTwoPartsAFewHundredMillisecondsApartIsRead() {
        byte[] body = ("{\"limit\":5" + " ".repeat(80) + "}").getBytes(StandardCharsets.UTF_8);
        Answer a = app.raw().send(("POST /chat/1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length + "\r\n")
                .getBytes(StandardCharsets.ISO_8859_1), (out, answered) -> {
            out.write(body, 0, 10);
            out.flush();
            Thread.sleep(700); // why: a slow phone's pause between packets is what is under test
            out.write(body, 10, body.length - 10);
        }, 8_000);
        assertEquals(200, a.status(), a.toString());
    }

    @Test
    void aMalformedChunkIs400() {
        Answer a = app.raw().send("POST /chat/1/messages HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n",
                "zz\r\nabc\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        assertError(a, 400, "malformed chunk");
    }

    // ------------------------------------------------------------------ 3. made-up tokens

    @Test
    void madeUpTokensCostMySqlNothing() throws SQLException {
        Random random = new Random(14);
        long before = mysqlSelects();
        for (int i = 0; i < 200; i++) {
            byte[] bytes = new byte[32];
            random.nextBytes(bytes);
            String token = i % 4 == 0 ? "x" + i : java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            Answer a = app.raw().send("POST /chat/1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Length: 2\r\n", "{}".getBytes(StandardCharsets.UTF_8));
            assertError(a, 401, "token " + token);
        }
        // and a real token still reads, from Redis, without asking MySQL who it is
        assertEquals(200, fetch(alice.token()).status());
        // why not exactly 0: the connection pool may open a connection meanwhile (its driver runs a few SELECTs)
        assertTrue(mysqlSelects() - before <= 3, "MySQL SELECTs during 200 made-up tokens and one real read");
    }

    @Test
    void withoutACompleteReplicaMissesAreRememberedBriefly() throws SQLException {
        String upTo = chatcache.redis.RedisTokens.hashOf(stores.cache.groups()) + ":upto";
        stores.cache.redis().run(upTo, "forget how far the token replica was copied", jedis -> jedis.del(upTo)); // as if still being copied
        String token = Tokens.newToken();
        long before = mysqlSelects();
        for (int i = 0; i < 100; i++) {
            assertError(fetch(token), 401, "unknown token");
        }
        long selects = mysqlSelects() - before;
        assertTrue(selects >= 1 && selects <= 4, selects + " MySQL SELECTs for 100 tries of the same unknown token (1 lookup)");
        assertEquals(200, fetch(alice.token()).status(), "a real token is found in MySQL meanwhile");
        // the sync copies everything again and the replica answers
        stores.cache.tokenSync().step();
        long after = mysqlSelects();
        for (int i = 0; i < 20; i++) {
            assertError(fetch(Tokens.newToken()), 401, "unknown token");
        }
        assertTrue(mysqlSelects() - after <= 3, "made-up tokens answered by the copied replica");
    }

    @Test
    void aUserAddedWhileRedisMissedItIsCopiedByTheSync() {
        // stored in MySQL only, as when `users add` could not reach Redis
        String token = Tokens.newToken();
        new chatcache.mysql.MySqlUsers(stores.cache.database().sessionFactory()).add("carol", Role.USER, Tokens.hash(token));
        assertError(fetch(token), 401, "not copied yet");
        assertEquals(1, stores.cache.tokenSync().step() >= 1 ? 1 : 0);
        // a miss is not remembered while the replica answers, so the copy is seen at once
        assertEquals(200, fetch(token).status());
    }

    // ------------------------------------------------------------------ 4. no 500s

    @ParameterizedTest
    @ValueSource(strings = {"{\"limit\":1e-2147483649}", "{\"unknown\":1e-2147483649}", "{\"limit\":1e2147483648}",
            "{\"userId\":-1e-99999999999}", "[1e-2147483649]"})
    void numbersBeyondRangeAre400(String body) {
        Answer a = app.raw().send("POST /chat/1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n",
                body.getBytes(StandardCharsets.UTF_8));
        assertError(a, 400, body);
    }

    @Test
    void aNumberBeyondRangeInDataIs400() {
        String body = "{\"message\":\"x\",\"data\":{\"n\":1e-2147483649}}";
        assertError(post(body.getBytes(StandardCharsets.UTF_8), "application/json"), 400, body);
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json; charset=bogus", "application/json; charset=utf-16",
            "application/json;charset=\"latin1\"", "text/plain; charset=../../etc"})
    void aCharsetOtherThanUtf8Is415(String contentType) {
        Answer a = app.raw().send("POST /chat/1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: " + contentType
                + "\r\nContent-Length: 2\r\n", "{}".getBytes(StandardCharsets.UTF_8));
        assertError(a, 415, contentType);
    }

    @Test
    void utf8InAnyCaseIsAccepted() {
        Answer a = app.raw().send("POST /chat/1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json; Charset=\"UTF-8\""
                + "\r\nContent-Length: 2\r\n", "{}".getBytes(StandardCharsets.UTF_8));
        assertEquals(200, a.status(), a.toString());
    }

    // ------------------------------------------------------------------ 5. strict UTF-8

    @ParameterizedTest
    @ValueSource(strings = {"61c0af62", "61ff62", "61eda08062", "61e282", "61f8888080806162", "61edbfbf62"})
    void malformedUtf8IsRefusedAndNothingIsStored(String hexText) {
        byte[] text = HexFormat.of().parseHex(hexText);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("{\"message\":\"".getBytes(StandardCharsets.UTF_8));
        body.writeBytes(text);
        body.writeBytes("\"}".getBytes(StandardCharsets.UTF_8));
        assertError(post(body.toByteArray(), "application/json"), 400, hexText);
        JsonNode page = fetch(alice.token()).json();
        assertEquals(0, page.get("messages").size(), "stored: " + page);
    }

    // ------------------------------------------------------------------ 6. JSON errors before routing

    @Test
    void errorsJettyRaisesBeforeRoutingAreJson() {
        assertError(app.raw().send("POST /chat/1/messa%00ges HTTP/1.1\r\nHost: x\r\n", new byte[0]), 400, "%00");
        assertError(app.raw().send("GET /chat/%2e%2e/%00 HTTP/1.1\r\nHost: x\r\n", new byte[0]), 400, "%00 dots");
        assertError(app.raw().send("GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n", new byte[0]), 414, "long URI");
        assertError(app.raw().send("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\n", new byte[0]),
                431, "big header");
        assertError(app.raw().send("GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n", new byte[0]),
                400, "two lengths");
        assertError(app.raw().send("GARBAGE\r\n", new byte[0]), 400, "no request line");
        for (String path : List.of("/chat/%`0/message", "/chat/1%/messages", "/chat/%zz/messages", "/chat/1/messages%4")) {
            assertError(app.raw().send("POST " + path + " HTTP/1.1\r\nHost: x\r\n", new byte[0]), 400, path);
        }
        // Jetty's own answer would be 505, a 5xx any client could cause
        assertError(app.raw().send("GET /health\r\n", new byte[0]), 400, "no HTTP version");
        assertError(app.raw().send("GET /health HTTP/7.1\r\nHost: x\r\n", new byte[0]), 400, "unknown HTTP version");
    }

    @Test
    void unknownRoutesAndMethodsAreJson() {
        assertError(app.raw().send("PUT /chat/1/messages HTTP/1.1\r\nHost: x\r\n", new byte[0]), 404, "PUT");
        assertError(app.raw().send("GET /nothing HTTP/1.1\r\nHost: x\r\n", new byte[0]), 404, "GET /nothing");
        Answer trace = app.raw().send("TRACE /health HTTP/1.1\r\nHost: x\r\n", new byte[0]);
        assertTrue(trace.status() >= 400 && trace.status() < 500, trace.toString());
        assertError(trace, trace.status(), "TRACE");
        // issue #21: the texts are ours, not Javalin's ("Endpoint TRACE / not found"), and a made-up method is not echoed
        for (String requestLine : List.of("TRACE / HTTP/1.1", "FOO /chat/1 HTTP/1.1", "PUT /chat/1/messages HTTP/1.1",
                "X".repeat(300) + " /health HTTP/1.1")) {
            Answer a = app.raw().send(requestLine + "\r\nHost: x\r\n", new byte[0]);
            assertTrue(a.status() >= 400 && a.status() < 500, requestLine + ": " + a);
            String text = a.json().get("error").textValue();
            assertFalse(text.contains("Endpoint") || text.contains("XXXX") || text.contains("FOO"), requestLine + ": " + text);
        }
    }

    /**
     * RawHttp reads an answer until the server closes, so an answer at all means the connection
     * closed. (A CONNECT to a path is a request line Jetty cannot parse: 400.)
     */
    @ParameterizedTest
    @ValueSource(strings = {"CONNECT 127.0.0.1:7070", "CONNECT *"})
    void everyConnectIs405AndClosesTheConnection(String requestLine) {
        Answer a = app.raw().send(requestLine + " HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n",
                "5\r\nhello\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertError(a, 405, requestLine);
        assertEquals(RequestChecks.CONNECT_REFUSED, a.json().get("error").textValue(), requestLine);
    }

    // ------------------------------------------------------------------ 7. no method override

    @Test
    void aMethodOverrideHeaderIsRefusedAndChangesNothing() {
        long id = post(ApiClient.messageBody("keep me", null).getBytes(StandardCharsets.UTF_8), "application/json")
                .json().get("id").longValue();
        for (String header : List.of("X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override")) {
            Answer a = app.raw().send("GET /chat/1/message/" + id + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                    + alice.token() + "\r\n" + header + ": DELETE\r\n", new byte[0]);
            assertError(a, 400, header);
        }
        assertEquals(1, fetch(alice.token()).json().get("messages").size(), "the message was deleted");
    }

    /** why: like an override, a method another spelling of which a proxy's rules would not match. */
    @Test
    void aMethodInLowerCaseIsNoOtherMethod() {
        long id = post(ApiClient.messageBody("keep me", null).getBytes(StandardCharsets.UTF_8), "application/json")
                .json().get("id").longValue();
        Answer a = app.raw().send("delete /chat/1/message/" + id + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + alice.token() + "\r\n", new byte[0]);
        assertError(a, 404, "delete");
        assertEquals(1, fetch(alice.token()).json().get("messages").size(), "the message was deleted");
    }

    // ------------------------------------------------------------------ 8. listening address

    @Test
    void theDefaultBindIsLoopbackOnlyAndABindAddressIsHonoured() throws Exception {
        // why 127.0.0.2: another address of this machine that stays inside the loopback range
        Javalin loopback = ApiClient.startApp(stores, HttpLimits.DEFAULT, chatcache.Config.DEFAULT_BIND);
        try {
            assertTrue(accepts("127.0.0.1", loopback.port()));
            assertFalse(accepts("127.0.0.2", loopback.port()), "the default bind listens beyond 127.0.0.1");
        } finally {
            loopback.stop();
        }
        Javalin everywhere = ApiClient.startApp(stores, HttpLimits.DEFAULT, "0.0.0.0");
        try {
            assertTrue(accepts("127.0.0.2", everywhere.port()));
        } finally {
            everywhere.stop();
        }
    }

    private static boolean accepts(String host, int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(host, port), 2_000);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    // ------------------------------------------------------------------ 10. small things

    @Test
    void everyAnswerSaysNosniffAndNoStore() {
        List<Answer> answers = List.of(
                fetch(alice.token()),
                fetch("nope"),
                app.raw().send("GET /health HTTP/1.1\r\nHost: x\r\n", new byte[0]),
                app.raw().send("GET /x%00 HTTP/1.1\r\nHost: x\r\n", new byte[0]),
                app.raw().send("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\n", new byte[0]));
        for (Answer a : answers) {
            assertEquals("nosniff", a.header("X-Content-Type-Options"), a.toString());
            assertEquals("no-store", a.header("Cache-Control"), a.toString());
        }
    }

    @Test
    void errorTextsDoNotNameLibraryInternals() {
        List<String> bodies = List.of("{\"limit\":" + "9".repeat(5000) + "}", "[".repeat(5000), "{\"a\":\"" + "s".repeat(60_000) + "\"}",
                "{\"limit\":1e-2147483649}", "{\"limit\":", "{\"limit\":1,\"limit\":2}", "nul",
                "{\"limit\": NaN}", "{\"limit\": 5} x", "{\"limit\": 5}{}", "{'limit': 5}", "{\"limit\": 05}", "{\"a\":\"\u0001\"}");
        for (String body : bodies) {
            Answer a = app.raw().send("POST /chat/1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: "
                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\n", body.getBytes(StandardCharsets.UTF_8));
            assertError(a, 400, body.substring(0, Math.min(30, body.length())));
            String text = a.json().get("error").textValue().toLowerCase();
            for (String internal : List.of("constraints", "jackson", "fasterxml", "jetty", "javalin", "exception", "java.",
                    "feature", "enable", "`", "token", "deserializ", "bound as", "jsonnode")) {
                assertFalse(text.contains(internal), "error text names '" + internal + "': " + text);
            }
        }
    }

    @Test
    void twoAuthorizationHeadersAre400() {
        Answer a = app.raw().send("POST /chat/1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + alice.token()
                + "\r\nAuthorization: Bearer " + alice.token() + "\r\nContent-Length: 2\r\n", "{}".getBytes(StandardCharsets.UTF_8));
        assertError(a, 400, "two Authorization headers");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\u0000b", "\u0007bell", "x\u001b[31mred", "\u0085next", "abc\u202Egnp.exe",
            "\u202Aembedded", "\u2066isolate\u2069", "\u3164", "\u3164 \u3164", "\u115F\u1160", "\uFFA0", "\u2800\u2800",
            // issue #21: the combining grapheme joiner alone, tag characters outside a flag, interlinear
            // annotations, noncharacters, variation selectors alone
            "\u034F", "\u034F \u034F", "hidden\uDB40\uDC41\uDB40\uDC42", "\uDB40\uDC01", "a\uFFF9b\uFFFAc\uFFFB",
            "x\uFFFE", "\uFDD0y", "z\uDBFF\uDFFF", "\uFE0F", "\uDB40\uDD00",
            "\uD83C\uDFF4\uDB40\uDC67\uDB40\uDC62"})
    void controlsBidiOverridesAndFillerOnlyMessagesAreRefusedWhole(String text) {
        Answer a = post(ApiClient.messageBody(text, null).getBytes(StandardCharsets.UTF_8), "application/json");
        assertError(a, 400, HexFormat.of().formatHex(text.getBytes(StandardCharsets.UTF_8)));
        assertEquals(0, fetch(alice.token()).json().get("messages").size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"tab\tand\nlines\r\n", "مرحبا\u200F!", "Hangul 한글 \u3164 inside", "emoji 👋🏽 ok",
            "flag of Scotland \uD83C\uDFF4\uDB40\uDC67\uDB40\uDC62\uDB40\uDC73\uDB40\uDC63\uDB40\uDC74\uDB40\uDC7F",
            "a\u034Fb joined", "e\u0301 accent", "\u2764\uFE0F heart"})
    void ordinaryTextWithMarksTabsAndLineBreaksIsStored(String text) {
        Answer a = post(ApiClient.messageBody(text, null).getBytes(StandardCharsets.UTF_8), "application/json");
        assertEquals(201, a.status(), a.toString());
        assertEquals(text, a.json().get("message").textValue());
    }

    /** Issue #21: every string inside data (names and values, at any depth) follows the text rules. */
    @ParameterizedTest
    @ValueSource(strings = {"{\"note\":\"a\\u0000b\"}", "{\"k\\u202E\":\"x\"}", "{\"list\":[\"ok\",{\"deep\":\"\\uDB40\\uDC41\"}]}",
            "{\"s\":\"\\u001b[31m\"}", "{\"s\":\"\\uFFFB\"}", "{\"\\u0007\":1}"})
    void refusedCharactersInsideDataAreRefusedWhole(String data) {
        String body = "{\"message\":\"hello\",\"data\":" + data + "}";
        Answer a = post(body.getBytes(StandardCharsets.UTF_8), "application/json");
        assertError(a, 400, data);
        assertTrue(a.json().get("error").textValue().startsWith("'data'"), a.toString());
        assertEquals(0, fetch(alice.token()).json().get("messages").size());
    }

    @Test
    void ordinaryStringsInsideDataAreStoredAsSent() {
        String data = "{\"reply\":\"line\\nbreak\\ttab\",\"names\":[\"Zoë\",\"مرحبا\\u200F\"],\"empty\":\"\",\"n\":1}";
        Answer a = post(("{\"message\":\"hello\",\"data\":" + data + "}").getBytes(StandardCharsets.UTF_8), "application/json");
        assertEquals(201, a.status(), a.toString());
        assertEquals("line\nbreak\ttab", a.json().get("data").get("reply").textValue());
        assertEquals("", a.json().get("data").get("empty").textValue());
    }

    // ------------------------------------------------------------------ helpers

    private Answer post(byte[] body, String contentType) {
        return app.raw().send("POST /chat/1/message HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + alice.token()
                + "\r\nContent-Type: " + contentType + "\r\nContent-Length: " + body.length + "\r\n", body);
    }

    private Answer fetch(String token) {
        return app.raw().send("POST /chat/1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
                + "\r\nContent-Length: 2\r\n", "{}".getBytes(StandardCharsets.UTF_8));
    }

    /** {"p":"   ...   "} of exactly this many bytes. */
    private static byte[] jsonPadding(int bytes) {
        return ("{\"p\":\"" + " ".repeat(bytes - 8) + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** SELECT statements MySQL has run since it started, all sessions. */
    private static long mysqlSelects() throws SQLException {
        try (Connection c = stores.cache.database().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW GLOBAL STATUS LIKE 'Com_select'")) {
            assertTrue(rs.next());
            return rs.getLong(2);
        }
    }

    static void assertError(Answer a, int status, String where) {
        assertEquals(status, a.status(), where + ": " + a);
        assertTrue(a.header("Content-Type") != null && a.header("Content-Type").startsWith("application/json"),
                where + ": " + a);
        JsonNode json = a.json();
        assertNotNull(json, where + ": not JSON: " + a);
        assertTrue(json.isObject() && json.path("error").isTextual() && !json.get("error").textValue().isBlank(),
                where + ": " + a);
    }
}
