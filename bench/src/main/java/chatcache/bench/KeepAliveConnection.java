package chatcache.bench;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One blocking HTTP/1.1 keep-alive connection to the app on 127.0.0.1: a request is written and
 * its response read on the calling thread, nothing else. why not java.net.http: the load
 * generator shares the machine's two cores with the app it measures; the JDK client hands every
 * exchange between the caller, its selector thread and its executor, which cost as much CPU as a
 * fifth of the app's own work (JFR, BENCHMARKS.md run F), while the raw baselines it is compared
 * to talk to their engines over plain blocking sockets (Jedis, JDBC).
 *
 * <p>Understands what the app sends: a status line, headers, and a body sized by Content-Length
 * or sent chunked. A response that says "Connection: close" (or a broken connection) makes the
 * next request open a new connection.
 */
final class KeepAliveConnection implements AutoCloseable {
    private static final int MAX_HEADER_BYTES = 64 * 1024;

    private final InetSocketAddress address;
    private final int timeoutMillis;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    /** why not BufferedInputStream: its read() takes a lock per byte, and headers are read a byte at a time. */
    private final byte[] buffer = new byte[16 * 1024];
    private int position;
    private int limit;

    /** A response: its status and body. */
    record Response(int status, byte[] body) {
    }

    KeepAliveConnection(InetSocketAddress address, int timeoutMillis) {
        if (!address.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("the bench only talks to the loopback address, not " + address);
        }
        this.address = address;
        this.timeoutMillis = timeoutMillis;
    }

    /** The bytes of a POST with a JSON body, to send as often as needed; no Authorization header when the token is null. */
    static byte[] post(InetSocketAddress address, String path, String bearerToken, String jsonBody) {
        byte[] body = jsonBody.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\n"
                + "Host: " + address.getHostString() + ":" + address.getPort() + "\r\n"
                + (bearerToken == null ? "" : "Authorization: Bearer " + bearerToken + "\r\n")
                + "Content-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        byte[] request = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, request, 0, headBytes.length);
        System.arraycopy(body, 0, request, headBytes.length, body.length);
        return request;
    }

    /** A GET request with a bearer token. */
    static byte[] get(InetSocketAddress address, String path, String bearerToken) {
        String head = "GET " + path + " HTTP/1.1\r\n"
                + "Host: " + address.getHostString() + ":" + address.getPort() + "\r\n"
                + "Authorization: Bearer " + bearerToken + "\r\n"
                + "\r\n";
        return head.getBytes(StandardCharsets.US_ASCII);
    }

    /** Sends one request (from {@link #post} or {@link #get}) and reads its whole response. */
    Response exchange(byte[] request) throws IOException {
        if (socket == null) {
            open();
        }
        try {
            out.write(request);
            out.flush();
            return readResponse();
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    private void open() throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(address, timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            in = s.getInputStream();
            out = s.getOutputStream();
            position = 0;
            limit = 0;
            socket = s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    private Response readResponse() throws IOException {
        String statusLine = line();
        // "HTTP/1.1 200 OK"
        if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
            throw new IOException("not an HTTP/1.x status line: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long contentLength = -1;
        boolean chunked = false;
        boolean closeAfter = false;
        int headerBytes = 0;
        for (String header = line(); !header.isEmpty(); header = line()) {
            headerBytes += header.length();
            if (headerBytes > MAX_HEADER_BYTES) {
                throw new IOException("response headers longer than " + MAX_HEADER_BYTES + " bytes");
            }
            int colon = header.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> contentLength = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> closeAfter = value.equalsIgnoreCase("close");
                default -> { }
            }
        }
        byte[] body;
        if (chunked) {
            body = chunkedBody();
        } else if (contentLength >= 0) {
            body = bytes(Math.toIntExact(contentLength));
        } else {
            // neither: the body runs to the end of the connection
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            rest.write(buffer, position, limit - position);
            position = limit;
            in.transferTo(rest);
            body = rest.toByteArray();
            closeAfter = true;
        }
        if (closeAfter) {
            close();
        }
        return new Response(status, body);
    }

    private byte[] chunkedBody() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = line();
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                while (!line().isEmpty()) {
                    // trailers: none expected, skipped
                }
                return body.toByteArray();
            }
            body.write(bytes(size));
            line();
        }
    }

    /** One header line without its CRLF; ASCII, as HTTP headers are. */
    private String line() throws IOException {
        StringBuilder line = new StringBuilder(64);
        while (true) {
            int c = read();
            if (c == '\n') {
                int n = line.length();
                return n > 0 && line.charAt(n - 1) == '\r' ? line.substring(0, n - 1) : line.toString();
            }
            if (line.length() > MAX_HEADER_BYTES) {
                throw new IOException("response line longer than " + MAX_HEADER_BYTES + " bytes");
            }
            line.append((char) c);
        }
    }

    private int read() throws IOException {
        if (position == limit && !fill()) {
            throw new EOFException("connection closed inside a response");
        }
        return buffer[position++] & 0xff;
    }

    private byte[] bytes(int n) throws IOException {
        byte[] out = new byte[n];
        int have = 0;
        while (have < n) {
            if (position == limit && !fill()) {
                throw new EOFException("response ended after " + have + " of " + n + " body bytes");
            }
            int take = Math.min(n - have, limit - position);
            System.arraycopy(buffer, position, out, have, take);
            position += take;
            have += take;
        }
        return out;
    }

    private boolean fill() throws IOException {
        int got = in.read(buffer);
        if (got <= 0) {
            return false;
        }
        position = 0;
        limit = got;
        return true;
    }

    @Override
    public void close() {
        Socket s = socket;
        socket = null;
        in = null;
        out = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // closing a connection we no longer use: nothing to do
            }
        }
    }
}
