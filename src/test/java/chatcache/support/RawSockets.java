package chatcache.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Raw HTTP over plain sockets, for tests that send what no HTTP client would. */
public final class RawSockets {
    private static final String TOKEN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-.^_`|~";

    private RawSockets() {
    }

    /** Everything the server sends until it closes (ISO-8859-1); a reset ends it like a close. */
    public static String readAll(Socket s, int timeoutMs) throws IOException {
        s.setSoTimeout(timeoutMs);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) != -1; ) {
                all.write(buffer, 0, n);
            }
        } catch (SocketException reset) {
            // closed with our bytes unread: what arrived before the reset is the answer
        }
        return all.toString(StandardCharsets.ISO_8859_1);
    }

    /** A string of HTTP token characters: a made-up method or header name. */
    public static String token(Random r, int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append(TOKEN_CHARS.charAt(r.nextInt(TOKEN_CHARS.length())));
        }
        return b.toString();
    }
}
