package chatcache.web;

import chatcache.support.Seeds;
import chatcache.support.TestStores;
import chatcache.user.Authenticator;
import chatcache.user.Role;
import chatcache.user.Tokens;
import chatcache.web.RawHttp.Answer;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random requests over every route, as raw bytes: methods, paths, ids, tokens, headers, bodies of
 * every JSON type and of no JSON at all, and framings that lie. Whatever arrives, the server must
 * answer without a 5xx, with JSON error bodies and its security headers, as the OpenAPI document
 * says ({@link OpenApiConformance}). The seed is printed;
 * re-run one with {@code -Dchatcache.seed=N}, and change the count with {@code -Dchatcache.fuzz.requests=N}.
 */
@ExtendWith(OpenApiConformance.class)
class HttpFuzzIT {
    private static final int REQUESTS = Integer.getInteger("chatcache.fuzz.requests", 10_000);
    /** A short idle timeout: a body shorter than its Content-Length costs 300 ms, not 10 s. */
    private static final HttpLimits LIMITS = new HttpLimits(64 * 1024, 2_000, 300, 1_024);

    @RegisterExtension
    static final RawApp app = new RawApp(LIMITS);

    private static Authenticator.Issued user;
    private static Authenticator.Issued api;

    @BeforeAll
    static void signUp() {
        TestStores stores = TestStores.get();
        stores.reset();
        user = stores.user("fuzz-user", Role.USER);
        api = stores.user("fuzz-api", Role.API);
    }

    @Test
    void randomRequestsGetNo5xxAndOnlyJsonErrors() {
        long seed = Seeds.announced("HttpFuzzIT (" + REQUESTS + " requests)");
        Random random = new Random(seed);
        // a few messages for ids to hit
        for (int i = 0; i < 5; i++) {
            byte[] body = ("{\"message\":\"m" + i + "\"}").getBytes(StandardCharsets.UTF_8);
            app.raw().send(head("POST", "/chat/1/message", "Authorization: Bearer " + user.token(),
                    "Content-Length: " + body.length), (out, answered) -> out.write(body), 5_000);
        }
        Map<Integer, Integer> statuses = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            Request request = Request.random(random);
            Answer a;
            try {
                a = app.raw().send(request.head, (out, answered) -> out.write(request.body), 5_000);
            } catch (AssertionError | RuntimeException e) {
                a = new Answer(-2, Map.of(), e.toString().getBytes(StandardCharsets.UTF_8));
            }
            statuses.merge(a.status(), 1, Integer::sum);
            String problem = problem(request, a);
            if (problem != null && failures.size() < 20) {
                failures.add("#" + i + " " + problem + "\n  request: " + request + "\n  answer:  " + a);
            }
        }
        System.out.println("HttpFuzzIT statuses: " + statuses);
        assertTrue(failures.isEmpty(), "seed " + seed + ":\n" + String.join("\n", failures));
        assertMetricsBounded(seed);
    }

    /**
     * Issue #21: whatever methods, paths and headers arrived, /metrics holds only series whose
     * labels come from closed sets, so their number is bounded by those sets, not by the requests.
     */
    private static void assertMetricsBounded(long seed) {
        // HTTP/1.0: the body is not chunked, so lines are whole
        Answer scrape = app.raw().send("GET /metrics HTTP/1.0\r\nHost: x\r\n", new byte[0]);
        String text = scrape.text();
        java.util.regex.Matcher series = java.util.regex.Pattern.compile("^http_server_requests_seconds_count\\{([^}]*)}",
                java.util.regex.Pattern.MULTILINE).matcher(text);
        java.util.Set<String> methods = java.util.Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other");
        java.util.Set<String> routes = new java.util.HashSet<>(ApiRoutes.all().stream().map(ApiRoutes.Route::path).toList());
        routes.add("unmatched");
        int count = 0;
        while (series.find()) {
            count++;
            java.util.regex.Matcher label = java.util.regex.Pattern.compile("(\\w+)=\"([^\"]*)\"").matcher(series.group(1));
            while (label.find()) {
                String value = label.group(2);
                boolean closed = switch (label.group(1)) {
                    case "method" -> methods.contains(value);
                    case "route" -> routes.contains(value);
                    case "status" -> value.matches("[1-5](\\d\\d|xx)");
                    default -> true;
                };
                assertTrue(closed, "seed " + seed + ": a label from outside its set: " + series.group());
            }
        }
        // methods x routes x (the codes this API answers, and the classes) x stores
        int bound = methods.size() * routes.size() * 25 * 4;
        assertTrue(count > 0 && count < bound, "seed " + seed + ": " + count + " request series");
        assertTrue(text.length() < 2_000_000, "seed " + seed + ": /metrics is " + text.length() + " characters");
    }

    /** What is wrong with this answer, or null. */
    private static String problem(Request request, Answer a) {
        if (a.status() == -2) {
            return "the exchange failed";
        }
        if (a.status() == RawHttp.CUT_OFF) {
            return null; // refused and closed while we were still sending (a reset may eat the answer)
        }
        if (a.status() < 0) {
            return "no answer";
        }
        if (a.status() >= 500) {
            return "a 5xx";
        }
        if (!"nosniff".equals(a.header("X-Content-Type-Options")) || !"no-store".equals(a.header("Cache-Control"))) {
            return "security headers missing";
        }
        if (request.method.equals("HEAD")) {
            return null; // no body to check (bytes after the head belong to whatever followed)
        }
        if (a.status() == 204) {
            return a.body().length == 0 ? null : "a body where none belongs";
        }
        String type = a.header("Content-Type");
        if (type == null || !type.startsWith("application/json")) {
            return "not JSON";
        }
        JsonNode json = a.json();
        if (json == null || !json.isObject()) {
            return "not a JSON object";
        }
        if (a.status() >= 400 && !(json.path("error").isTextual() && !json.get("error").textValue().isBlank())) {
            return "an error without {\"error\": ...}";
        }
        return null;
    }

    private static byte[] head(String method, String path, String... headers) {
        StringBuilder b = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (String h : headers) {
            b.append(h).append("\r\n");
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** One random request: its method (for the checks), head bytes and body bytes. */
    private record Request(String method, byte[] head, byte[] body) {
        @Override
        public String toString() {
            String h = new String(head, StandardCharsets.UTF_8);
            String b = new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8);
            return (h.length() > 600 ? h.substring(0, 600) + "..." : h).replace("\r\n", " | ")
                    + " body(" + body.length + "): " + b;
        }

        static Request random(Random r) {
            // a third are a real route with a plausible body (so that posts, edits, deletes and
            // pages happen, with whatever token and headers); the rest are anything at all
            boolean real = r.nextInt(3) == 0;
            String[] route = pick(r, "POST /chat/%d/message", "POST /chat/%d/messages", "POST /chat/%d/messages",
                    "PATCH /chat/%d/message/%d", "DELETE /chat/%d/message/%d", "GET /health")
                    .formatted(1 + r.nextInt(3), 1 + r.nextInt(60)).split(" ");
            String method = real ? route[0] : r.nextInt(8) == 0 ? chatcache.support.RawSockets.token(r, 1 + r.nextInt(r.nextBoolean() ? 10 : 300))
                    : pick(r, "POST", "POST", "POST", "POST", "GET", "GET", "PATCH", "PATCH",
                    "DELETE", "DELETE", "PUT", "HEAD", "OPTIONS", "TRACE", "CONNECT", "FOO", "post");
            List<String> headers = new ArrayList<>();
            authorization(r, headers);
            if (r.nextInt(3) > 0) {
                headers.add("Content-Type: " + pick(r, "application/json", "application/json; charset=utf-8",
                        "application/json; charset=UTF8", "application/json; charset=bogus", "application/json; charset=utf-16",
                        "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                        "application/json; charset=", ";;;", "application/json; charset=\"utf-8\"; q=1"));
            }
            if (r.nextInt(40) == 0) {
                headers.add(pick(r, "X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override") + ": "
                        + pick(r, "DELETE", "PATCH", "GET", "x"));
            }
            if (r.nextInt(40) == 0) {
                headers.add("Expect: 100-continue");
            }
            if (r.nextInt(50) == 0) {
                headers.add("Accept: " + pick(r, "text/html", "application/xml", "*/*", "text/plain"));
            }
            if (r.nextInt(60) == 0) {
                headers.add("X-Filler: " + "f".repeat(r.nextInt(12_000)));
            }
            if (r.nextInt(50) == 0) {
                headers.add("Accept-Encoding: gzip");
            }
            for (int extra = r.nextInt(8) == 0 ? 1 + r.nextInt(4) : 0; extra > 0; extra--) {
                headers.add(chatcache.support.RawSockets.token(r, 1 + r.nextInt(40)) + ": " + chatcache.support.RawSockets.token(r, r.nextInt(60)));
            }
            byte[] body = real ? Bodies.plausible(r).getBytes(StandardCharsets.UTF_8) : Bodies.random(r);
            byte[] framed = frame(r, headers, body);
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            head.writeBytes((method + " ").getBytes(StandardCharsets.UTF_8));
            head.writeBytes(real ? route[1].getBytes(StandardCharsets.UTF_8) : Paths.random(r));
            head.writeBytes(" HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.UTF_8));
            for (String h : headers) {
                head.writeBytes((h + "\r\n").getBytes(StandardCharsets.UTF_8));
            }
            return new Request(method, head.toByteArray(), framed);
        }

        private static void authorization(Random r, List<String> headers) {
            switch (r.nextInt(12)) {
                case 0, 1, 2 -> { }
                case 3, 4 -> headers.add("Authorization: Bearer " + user.token());
                case 5, 6 -> headers.add("Authorization: Bearer " + api.token());
                case 7 -> headers.add("Authorization: Bearer " + Tokens.newToken());
                case 8 -> headers.add("Authorization: " + pick(r, "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "bearer "
                        + user.token(), "Bearer  " + user.token() + " ", "Token x", "Bearer " + "a".repeat(5000)));
                case 9 -> headers.add("Authorization: Bearer " + Strings.random(r));
                case 10 -> {
                    headers.add("Authorization: Bearer " + user.token());
                    headers.add("Authorization: Bearer " + api.token());
                }
                default -> headers.add("Authorization: Bearer " + user.token().substring(0, 42) + "\u00e9");
            }
        }

        /** Adds the framing headers and returns the bytes sent after the head. */
        private static byte[] frame(Random r, List<String> headers, byte[] body) {
            int f = r.nextInt(100);
            if (f < 70) {
                headers.add("Content-Length: " + body.length);
                return body;
            }
            if (f < 90) {
                headers.add("Transfer-Encoding: chunked");
                return RawHttp.chunked(body, 1 + r.nextInt(Math.max(1, body.length)));
            }
            if (f < 93) {
                return body; // no length: the body is read as the start of a next request
            }
            if (f < 96 && body.length > 0) {
                headers.add("Content-Length: " + r.nextInt(body.length));
                return body;
            }
            if (f < 97) {
                headers.add("Content-Length: " + (body.length + 1 + r.nextInt(10))); // waits for bytes that never come
                return body;
            }
            headers.add("Content-Length: " + pick(r, "abc", "-1", "1.5", "0x10", "", "2147483648", "99999999999999999999"));
            return body;
        }
    }

    private static final class Paths {
        static byte[] random(Random r) {
            String chat = id(r);
            String path = switch (r.nextInt(10)) {
                case 0, 1, 2 -> "/chat/" + chat + "/messages";
                case 3, 4 -> "/chat/" + chat + "/message";
                case 5, 6 -> "/chat/" + chat + "/message/" + id(r);
                case 7 -> "/health";
                case 8 -> pick(r, "/", "/chat", "/chat/1", "/chat/1/messages/", "//chat/1/messages", "/chat/1/../1/messages",
                        "/chat/1/%2e%2e/messages", "/CHAT/1/messages", "/health/", "/chat/1/messages;x=1", "*",
                        "/chat/1/messages?limit=5", "/chat/1/message/1/2", "/static/../../etc/passwd");
                default -> "/" + Strings.percentEncoded(r);
            };
            byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
            if (r.nextInt(50) == 0) { // raw bytes in the request line
                bytes = bytes.clone();
                bytes[r.nextInt(bytes.length)] = (byte) r.nextInt(256);
            }
            if (r.nextInt(200) == 0) {
                return ("/" + "x".repeat(9_000)).getBytes(StandardCharsets.UTF_8);
            }
            return bytes;
        }

        private static String id(Random r) {
            return switch (r.nextInt(8)) {
                case 0, 1, 2, 3 -> Integer.toString(1 + r.nextInt(8));
                case 4 -> Long.toString(r.nextLong());
                default -> pick(r, "0", "-1", "9223372036854775807", "9223372036854775808", "99999999999999999999",
                        "abc", "%31", "%00", "1%2F2", "1e3", "0x1", " 1", "%20", "%D0%9F", "１", "1.0", "+1", "%`0", "1%",
                        "%zz", "%%31");
            };
        }
    }

    private static final class Bodies {
        static byte[] random(Random r) {
            return switch (r.nextInt(20)) {
                case 0 -> new byte[0];
                case 1 -> randomBytes(r, r.nextInt(200));
                case 2 -> {
                    byte[] json = Json.object(r, 0).getBytes(StandardCharsets.UTF_8);
                    yield java.util.Arrays.copyOf(json, r.nextInt(json.length + 1)); // truncated
                }
                case 3 -> ("[".repeat(r.nextInt(3000)) + "]".repeat(r.nextInt(3000))).getBytes(StandardCharsets.UTF_8);
                case 4 -> ("{\"message\":\"" + "x".repeat(60_000 + r.nextInt(20_000)) + "\"}").getBytes(StandardCharsets.UTF_8);
                case 5 -> {
                    byte[] json = Json.object(r, 0).getBytes(StandardCharsets.UTF_8);
                    if (json.length > 2) {
                        json[1 + r.nextInt(json.length - 2)] = (byte) (0x80 + r.nextInt(128)); // broken UTF-8
                    }
                    yield json;
                }
                case 6, 7, 8, 9, 10, 11 -> plausible(r).getBytes(StandardCharsets.UTF_8);
                default -> Json.object(r, 0).getBytes(StandardCharsets.UTF_8);
            };
        }

        /** Bodies a route may accept, so that posts, edits and pages (and their marks) happen too. */
        static String plausible(Random r) {
            if (r.nextBoolean()) {
                String data = r.nextInt(3) == 0 ? ",\"data\":" + Json.object(r, 2) : "";
                return "{\"message\":" + Strings.quoted("m " + Strings.random(r)) + data + "}";
            }
            StringBuilder b = new StringBuilder("{\"limit\":").append(1 + r.nextInt(100));
            switch (r.nextInt(5)) {
                case 0 -> b.append(",\"userId\":").append(1 + r.nextInt(3));
                case 1 -> b.append(",\"onlyOwn\":").append(r.nextBoolean());
                case 2 -> b.append(",\"").append(pick(r, "before", "after", "around")).append("\":").append(1 + r.nextInt(60));
                default -> { }
            }
            return b.append('}').toString();
        }

        private static byte[] randomBytes(Random r, int n) {
            byte[] b = new byte[n];
            r.nextBytes(b);
            return b;
        }
    }

    /** Random JSON text, mostly with the API's own field names, values of every type. */
    private static final class Json {
        private static final String[] FIELDS = {"limit", "onlyOwn", "userId", "before", "after", "around",
                "message", "data", "text", "read", "since", "until", "userIds", "x", ""};

        static String object(Random r, int depth) {
            StringBuilder b = new StringBuilder("{");
            int n = r.nextInt(4);
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    b.append(',');
                }
                String name = r.nextInt(10) == 0 ? Strings.random(r) : FIELDS[r.nextInt(FIELDS.length)];
                b.append(Strings.quoted(name)).append(':').append(value(r, depth + 1));
            }
            if (r.nextInt(30) == 0 && n > 0) {
                b.append(",\"limit\":1"); // perhaps a duplicate key
            }
            return b.append('}').toString();
        }

        static String value(Random r, int depth) {
            int k = r.nextInt(depth > 3 ? 9 : 11);
            return switch (k) {
                case 0 -> Integer.toString(r.nextInt(200) - 50);
                case 1 -> Long.toString(r.nextLong());
                case 2 -> pick(r, "1e-2147483649", "1e2147483648", "-0", "0.5", "1e2", "100000000000000000000000",
                        "1.0", "-1", "NaN", "Infinity", "01", "1.", ".5", "9".repeat(1200), "1e999999999");
                case 3 -> pick(r, "true", "false", "null", "tru", "nul");
                case 4, 5 -> Strings.quoted(Strings.random(r));
                case 6 -> pick(r, "\"\\ud800\"", "\"\\u0000\"", "\"a\\u202eb\"", "\"\\u3164\"", "\"\\x41\"", "\"\\q\"",
                        "\"tab\\tok\"", "\"\\uDBFF\\uDFFF\"", "\"" + "s".repeat(5000) + "\"");
                case 7 -> Strings.quoted(Long.toString(r.nextInt(10)));
                case 8 -> "\"2026-11-20T10:00:00Z\"";
                case 9 -> {
                    StringBuilder b = new StringBuilder("[");
                    int n = r.nextInt(4);
                    for (int i = 0; i < n; i++) {
                        b.append(i > 0 ? "," : "").append(value(r, depth + 1));
                    }
                    yield b.append(']').toString();
                }
                default -> object(r, depth + 1);
            };
        }
    }

    private static final class Strings {
        private static final String[] PIECES = {"hello", "Привет", "你好", "👋🏽", "مرحبا", " ", "\t", "\n", "\"", "\\",
                "'; DROP TABLE messages; --", "@chatId:{1}", "*", "%", "\u200b", "\u202e", "\u0000", "\u3164", "é", "e\u0301",
                "\ud800", "\udfff", "<script>", "${jndi:x}", "%s%n", "\u0085", "\ufeff"};

        static String random(Random r) {
            StringBuilder b = new StringBuilder();
            int n = r.nextInt(6);
            for (int i = 0; i < n; i++) {
                b.append(PIECES[r.nextInt(PIECES.length)]);
            }
            return b.toString();
        }

        static String quoted(String s) {
            StringBuilder b = new StringBuilder("\"");
            for (char c : s.toCharArray()) {
                switch (c) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    default -> {
                        if (c < 0x20 || Character.isSurrogate(c)) {
                            b.append(String.format("\\u%04x", (int) c));
                        } else {
                            b.append(c);
                        }
                    }
                }
            }
            return b.append('"').toString();
        }

        static String percentEncoded(Random r) {
            StringBuilder b = new StringBuilder();
            byte[] bytes = random(r).getBytes(StandardCharsets.UTF_8);
            for (byte x : bytes) {
                b.append(String.format("%%%02X", x & 0xff));
            }
            return b.toString();
        }
    }

    @SafeVarargs
    private static <T> T pick(Random r, T... options) {
        return options[r.nextInt(options.length)];
    }
}
