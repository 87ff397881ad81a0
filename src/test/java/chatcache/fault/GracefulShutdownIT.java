package chatcache.fault;

import chatcache.ChatCache;
import chatcache.Config;
import chatcache.core.Message;
import chatcache.user.Authenticator;
import chatcache.user.Role;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM to a server under load, as `docker stop` or a rolling restart sends it: requests it had
 * begun (here: posts whose body is still arriving) are answered, it stops within its bound, and
 * everything it acknowledged is in both stores with no backlog left for others to finish: its
 * outbox acknowledgements and read marks were flushed before it closed its pools.
 */
class GracefulShutdownIT extends WithOwnServers {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A post sent up to its body's first half, on a connection of its own. */
    private record HalfSent(Socket socket, byte[] rest) {
        /** Sends the rest of the body and reads the whole answer: status and body. */
        String[] finish() throws IOException {
            OutputStream out = socket.getOutputStream();
            out.write(rest);
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            socket.close();
            String[] lines = answer.split("\r\n\r\n", 2);
            String[] statusLine = lines[0].split(" ");
            return new String[] {statusLine.length > 1 ? statusLine[1] : "no answer", lines.length > 1 ? lines[1] : answer};
        }
    }

    /**
     * Sends headers with {@code Expect: 100-continue} and half the body, and returns once the server
     * answered 100 Continue: its handler is running and reading the body.
     */
    private static HalfSent halfSentPost(AppProcess at, long chat, Authenticator.Issued who, String text) throws IOException {
        byte[] body = ("{\"message\": \"" + text + "\"}").getBytes(StandardCharsets.UTF_8);
        Socket socket = new Socket("127.0.0.1", at.port);
        socket.setSoTimeout(30_000);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /chat/" + chat + "/message HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + who.token()
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                + "\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String interim = readHead(socket.getInputStream());
        assertTrue(interim.startsWith("HTTP/1.1 100"), "the server asks for the body: " + interim);
        int half = body.length / 2;
        out.write(body, 0, half);
        out.flush();
        byte[] rest = new byte[body.length - half];
        System.arraycopy(body, half, rest, 0, rest.length);
        return new HalfSent(socket, rest);
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    @Test
    void sigtermFinishesBegunRequestsAndFlushesWhatItAcknowledged() throws Exception {
        try (ChatCache observer = ChatCache.open(Config.fromEnv(env()), Clock.systemUTC());
             AppProcess app = new AppProcess("terminated", env(), servers.dir)) {
            Authenticator.Issued writer = observer.authenticator().issue("writer", Role.USER);
            Authenticator.Issued reader = observer.authenticator().issue("reader", Role.USER);
            HttpResponse<String> created = Requests.send(app.url(""), "POST", "/chats", writer, "{\"title\": \"t\", \"visibility\": \"public\"}");
            long chat = JSON.readTree(created.body()).get("id").asLong();

            Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
            Set<Long> markedRead = ConcurrentHashMap.newKeySet();
            AtomicBoolean running = new AtomicBoolean(true);
            List<Thread> load = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Thread t = new Thread(() -> {
                    while (running.get()) {
                        try {
                            HttpResponse<String> r = Requests.send(app.url(""), "POST", "/chat/" + chat + "/message", writer, "{\"message\": \"load\"}");
                            if (r.statusCode() == 201) {
                                acknowledged.add(JSON.readTree(r.body()).get("id").asLong());
                            }
                            HttpResponse<String> page = Requests.send(app.url(""), "POST", "/chat/" + chat + "/messages", reader, "{\"limit\": 20}");
                            if (page.statusCode() == 200) {
                                for (JsonNode m : JSON.readTree(page.body()).get("messages")) {
                                    markedRead.add(m.get("id").asLong());
                                }
                            }
                        } catch (IOException | RuntimeException e) {
                            // refused once the server stops accepting: not acknowledged, nothing to check
                        }
                    }
                }, "load");
                t.start();
                load.add(t);
            }
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (acknowledged.size() < 200) {
                assertTrue(System.nanoTime() < deadline, "the load got going");
                java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
            }
            List<HalfSent> begun = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                begun.add(halfSentPost(app, chat, writer, "begun " + i));
            }

            long stopping = System.nanoTime();
            app.signalTerminate();
            for (HalfSent post : begun) {
                String[] answer = post.finish();
                assertEquals("201", answer[0], "a request begun before SIGTERM is answered: " + answer[1]);
                acknowledged.add(JSON.readTree(answer[1]).get("id").asLong());
            }
            int exit = app.awaitExit(Duration.ofSeconds(30));
            long millis = (System.nanoTime() - stopping) / 1_000_000;
            running.set(false);
            for (Thread t : load) {
                t.join(30_000);
            }
            assertTrue(exit == 0 || exit == 143, "exit code " + exit);
            assertTrue(millis < 15_000, "stopped within its bound: " + millis + " ms");

            // nothing left for another instance to finish: no outbox row, no read mark in the stream
            assertEquals(0L, observer.health().outboxBacklog(), "outbox acknowledgements flushed");
            assertEquals(0L, observer.health().readMarkBacklog(), "read marks applied to MySQL");
            List<Long> posted = new ArrayList<>(acknowledged);
            assertEquals(posted.size(), observer.mysqlMessages().load(posted).size(), "every acknowledged post in MySQL");
            assertEquals(posted.size(), chatcache.support.RedisCopies.of(observer, posted).size(), "every acknowledged post in Redis");
            List<Long> marked = new ArrayList<>(markedRead);
            assertEquals(marked.size(), observer.mysqlMessages().load(marked).stream().filter(Message::read).count(),
                    "every read mark answered is in MySQL");
            System.out.printf("SIGTERM: %d posts acknowledged, 8 begun before it answered, stopped in %d ms%n", posted.size(), millis);
        }
    }
}
