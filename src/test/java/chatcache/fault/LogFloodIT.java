package chatcache.fault;

import chatcache.support.RawSockets;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #21, item 5: the log of a server as shipped (its own logback.xml) stays small whatever
 * malformed requests a client sends. The report: 600 requests with two 3,900-byte Host headers
 * wrote 4.8 MB of Jetty warnings quoting both values.
 */
class LogFloodIT extends WithOwnServers {
    @Test
    void malformedRequestsDoNotFloodTheLog() throws Exception {
        try (AppProcess app = new AppProcess("flood", env(), servers.dir)) {
            long before = Files.size(app.log);
            String a = "a".repeat(3_900);
            String b = "b".repeat(3_900);
            int answered400 = 0;
            for (int i = 0; i < 600; i++) {
                String answer = exchange(app.port, "GET /health HTTP/1.1\r\nHost: " + a + i + "\r\nHost: " + b + i
                        + "\r\nConnection: close\r\n\r\n");
                if (answer.startsWith("HTTP/1.1 400")) {
                    answered400++;
                }
            }
            // and other requests Jetty refuses before routing: bad versions, bad header lines, huge methods
            for (int i = 0; i < 200; i++) {
                exchange(app.port, switch (i % 4) {
                    case 0 -> "GET /health HTTP/9." + i + "\r\nHost: x\r\nConnection: close\r\n\r\n";
                    case 1 -> "GET /health HTTP/1.1\r\nHost: x\r\nBad Header " + "c".repeat(3_000) + "\r\nConnection: close\r\n\r\n";
                    case 2 -> "M".repeat(3_000) + i + " /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
                    default -> "GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\nConnection: close\r\n\r\nxy";
                });
            }
            long grown = Files.size(app.log) - before;
            String log = Files.readString(app.log);
            assertTrue(answered400 == 600, "each is refused with 400: " + answered400);
            assertTrue(grown < 64 * 1024, "800 malformed requests wrote " + grown + " bytes of log:\n"
                    + log.substring(Math.max(0, log.length() - 3_000)));
            assertTrue(!log.contains(a) && !log.contains(b) && !log.contains("c".repeat(2_500)), "client text in the log");
        }
    }

    private static String exchange(int port, String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return RawSockets.readAll(s, 10_000);
        }
    }
}
