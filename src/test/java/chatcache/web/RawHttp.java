package chatcache.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * HTTP/1.1 spoken byte by byte over one socket per request, for what java.net.http will not send:
 * chunked or lying framings, raw bytes in paths and bodies, repeated headers, slow bodies.
 * Every request says {@code Connection: close}; the answer is read until the server closes.
 */
final class RawHttp {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int port;

    RawHttp(int port) {
        this.port = port;
    }

    /** The status of an answer lost to a reset while we were still sending (see {@link #send}). */
    static final int CUT_OFF = -3;

    /** One answer; {@code status} is -1 when the server closed without answering, {@link #CUT_OFF} when that happened while we were still sending. */
    record Answer(int status, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The body as JSON, or null when it is not JSON. */
        JsonNode json() {
            try {
                return body.length == 0 ? null : JSON.readTree(body);
            } catch (IOException e) {
                return null;
            }
        }

        @Override
        public String toString() {
            return status + " " + headers + " " + text();
        }
    }

    /**
     * What a test writes after the request head: all at once, or in its own way; {@code answered}
     * tells whether the server has begun to answer (it may answer and then discard the rest of a
     * body without closing, so writes alone do not tell).
     */
    @FunctionalInterface
    interface BodyWriter {
        void write(OutputStream out, BooleanSupplier answered) throws IOException, InterruptedException;
    }

    /** Sends the head (request line and header lines, without the final blank line) and the body. */
    Answer send(String head, byte[] body) {
        return send(head.getBytes(StandardCharsets.ISO_8859_1), (out, answered) -> out.write(body), 10_000);
    }

    /**
     * @param head      raw bytes of the request line and headers, each line ending in CRLF
     * @param body      writes the body; a write that fails because the server already answered is ignored
     * @param timeoutMs how long to wait for the answer
     */
    Answer send(byte[] head, BodyWriter body, int timeoutMs) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(timeoutMs);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            BooleanSupplier answered = () -> {
                try {
                    return in.available() > 0;
                } catch (IOException e) {
                    return true;
                }
            };
            boolean cutOff = false;
            try {
                out.write(head);
                out.write("Connection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                body.write(out, answered);
                out.flush();
            } catch (IOException e) {
                // the server answered (and closed) before taking the whole request: read what it said
                cutOff = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            Answer answer = read(in);
            observe(head, answer);
            // why: a server that closes with our bytes unread resets the connection, which may
            // discard its answer before we read it; that is TCP, not the server failing to answer
            return answer.status() == -1 && cutOff ? new Answer(CUT_OFF, Map.of(), answer.body()) : answer;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no answer within " + timeoutMs + " ms", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Hands the answer to {@link OpenApiConformance}, with the method and target of the request
     * line; the body is not kept (a test writes it in its own way), so only the answer is judged.
     */
    private static void observe(byte[] head, Answer answer) {
        String requestLine = new String(head, StandardCharsets.ISO_8859_1).split("\r\n", 2)[0];
        String[] parts = requestLine.split(" ");
        if (parts.length >= 2) {
            OpenApiConformance.observe(new ApiDocument.Exchange(parts[0], parts[1], null, answer.status(),
                    answer.header("Content-Type"), answer.text()));
        }
    }

    private static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        try {
            while ((n = in.read(buffer)) != -1) {
                all.write(buffer, 0, n);
            }
        } catch (java.net.SocketException e) {
            // a reset after the answer was sent (the server closed with unread input): keep what arrived
        }
        return parse(all.toByteArray());
    }

    private static Answer parse(byte[] bytes) {
        int end = indexOf(bytes, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        if (end < 0) {
            return new Answer(-1, Map.of(), bytes);
        }
        String[] lines = new String(bytes, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
        }
        byte[] body = java.util.Arrays.copyOfRange(bytes, end + 4, bytes.length);
        if (status >= 100 && status < 200) {
            return parse(body); // an interim answer (100 Continue): the final one follows
        }
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = dechunk(body);
        }
        if ("gzip".equalsIgnoreCase(headers.get("content-encoding"))) {
            try (java.util.zip.GZIPInputStream in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(body))) {
                body = in.readAllBytes();
            } catch (IOException e) {
                throw new AssertionError("a gzip body that does not decompress", e);
            }
        }
        return new Answer(status, headers, body);
    }

    private static byte[] dechunk(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < body.length) {
            int lineEnd = indexOf(java.util.Arrays.copyOfRange(body, i, body.length), new byte[]{'\r', '\n'});
            if (lineEnd < 0) {
                break;
            }
            String sizeText = new String(body, i, lineEnd, StandardCharsets.ISO_8859_1).split(";")[0].strip();
            int size = Integer.parseInt(sizeText, 16);
            i += lineEnd + 2;
            if (size == 0) {
                break;
            }
            out.write(body, i, Math.min(size, body.length - i));
            i += size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** A body as chunks of this size, with the closing zero chunk. */
    static byte[] chunked(byte[] body, int chunkSize) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < body.length; i += chunkSize) {
            int n = Math.min(chunkSize, body.length - i);
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body, i, n);
            out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }
}
