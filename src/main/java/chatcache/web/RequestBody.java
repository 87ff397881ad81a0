package chatcache.web;

import io.javalin.http.Context;
import jakarta.servlet.ServletInputStream;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.io.EofException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A request body read through a bounded stream: at most {@link HttpLimits#maxBodyBytes()} bytes
 * whatever the framing, within a deadline, and decoded as strict UTF-8.
 * why not ctx.body(): Javalin checks only the Content-Length header, which a chunked body does not
 * have (a 200 MB chunked body was read whole), and decodes with replacement characters.
 */
final class RequestBody {
    private static final String ATTRIBUTE = RequestBody.class.getName();

    private RequestBody() {
    }

    /** Reads the body of this request and keeps it for {@link #text(Context)}. */
    static void read(Context ctx, HttpLimits limits) {
        // why the header as sent: Jetty 12's getContentType() throws on a charset it does not know
        requireUtf8(ctx.header("Content-Type"));
        long declared = declaredLength(ctx.header("Content-Length"));
        if (declared > limits.maxBodyBytes()) {
            throw new ApiException(413, tooLarge(limits));
        }
        ctx.attribute(ATTRIBUTE, readBounded(ctx, limits, declared));
    }

    /** The body as text; empty when there was none. */
    static String text(Context ctx) {
        byte[] bytes = ctx.attribute(ATTRIBUTE);
        if (bytes == null || bytes.length == 0) {
            return "";
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            // why refuse rather than replace: a changed text stored with a 201 is worse than a 400
            throw ApiException.badRequest("the request body is not valid UTF-8");
        }
    }

    /**
     * why a grace before the rate counts: a small body split over two packets a few hundred ms
     * apart is a slow phone, not an attack (Jetty's own minimum rate, checked at every read from
     * the first byte on, refused such a 91-byte body with 408).
     */
    static final long RATE_GRACE_MILLIS = 2_000;

    private static byte[] readBounded(Context ctx, HttpLimits limits, long declared) {
        long start = System.nanoTime();
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.max(0, Math.min(declared, 8192)));
        byte[] buffer = new byte[8192];
        ServletInputStream in = input(ctx);
        int n;
        while ((n = readSome(in, buffer)) != -1) {
            if (out.size() + n > limits.maxBodyBytes()) {
                throw new ApiException(413, tooLarge(limits));
            }
            out.write(buffer, 0, n);
            long elapsed = (System.nanoTime() - start) / 1_000_000;
            if (elapsed > limits.bodyDeadlineMillis()) {
                throw new ApiException(408, "the request body did not arrive within "
                        + limits.bodyDeadlineMillis() / 1000.0 + " s");
            }
            if (elapsed > RATE_GRACE_MILLIS && out.size() * 1000L < limits.minBodyBytesPerSecond() * elapsed) {
                throw new ApiException(408, "the request body arrived too slowly (at least "
                        + limits.minBodyBytesPerSecond() + " bytes/s after the first " + RATE_GRACE_MILLIS / 1000 + " s)");
            }
        }
        return out.toByteArray();
    }

    private static ServletInputStream input(Context ctx) {
        try {
            return ctx.req().getInputStream();
        } catch (IOException e) {
            throw readFailed(e);
        }
    }

    private static int readSome(ServletInputStream in, byte[] buffer) {
        try {
            return in.read(buffer);
        } catch (IOException | HttpException.RuntimeException e) {
            throw readFailed(e);
        }
    }

    /**
     * Jetty reports a malformed chunk as an {@link HttpException}, a client gone mid-body as an
     * early EOF (which is an HttpException too), a stalled client as an idle timeout.
     */
    private static ApiException readFailed(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof EofException) {
                return ApiException.badRequest("the request body is malformed or ended early");
            }
            if (t instanceof HttpException bad) {
                return bad.getCode() == 408 ? new ApiException(408, "the request body did not arrive in time")
                        : ApiException.badRequest("the request body is malformed");
            }
        }
        return new ApiException(408, "the request body did not arrive in time");
    }

    /** -1 when absent; a Content-Length that is not a plain decimal number is refused. */
    private static long declaredLength(String header) {
        if (header == null) {
            return -1;
        }
        String value = header.strip();
        if (value.isEmpty() || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw ApiException.badRequest("Content-Length must be a number");
        }
        // why: more than 18 digits is more than any limit (and than a long)
        return value.length() > 18 ? Long.MAX_VALUE : Long.parseLong(value);
    }

    /** JSON is UTF-8 (RFC 8259): a body declared in any other charset is refused, not guessed at. */
    private static void requireUtf8(String contentType) {
        if (contentType == null) {
            return;
        }
        for (String param : contentType.split(";")) {
            String p = param.strip();
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).strip().equalsIgnoreCase("charset")) {
                String charset = p.substring(eq + 1).strip().replace("\"", "").toLowerCase(Locale.ROOT);
                if (!charset.equals("utf-8") && !charset.equals("utf8")) {
                    throw new ApiException(415, "request bodies must be JSON in UTF-8; charset '"
                            + shorten(charset) + "' is not supported");
                }
            }
        }
    }

    private static String shorten(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    private static String tooLarge(HttpLimits limits) {
        return "the request body is larger than " + limits.maxBodyBytes() + " bytes";
    }
}
