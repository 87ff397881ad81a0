package chatcache.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The errors Jetty answers itself, before or outside Javalin's routing (a malformed request line,
 * an ambiguous path such as {@code %00}, a URI or headers too large, a body that timed out): as
 * {@code {"error": ...}} like every other error, with a text of ours rather than Jetty's (which
 * may name its internals).
 */
final class JsonErrorHandler extends ErrorHandler {

    /** why: Jetty's default writes a body only for GET, POST and HEAD. */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateAcceptableResponse(Request baseRequest, HttpServletRequest request,
                                              HttpServletResponse response, int code, String message) throws IOException {
        baseRequest.setHandled(true);
        response.setContentType("application/json");
        SecurityHeaders.apply(response::setHeader);
        response.setHeader(RequestIdFilter.HEADER, RequestIdFilter.of(request));
        byte[] body = body(code);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /** A request Jetty could not parse: no servlet runs; the answer is these bytes and fields. */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        SecurityHeaders.apply(fields::put);
        fields.put(RequestIdFilter.HEADER, RequestIdFilter.of(null));
        return ByteBuffer.wrap(body(status));
    }

    private static byte[] body(int status) {
        return ("{\"error\":\"" + text(status) + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    static String text(int status) {
        return switch (status) {
            case 400 -> "malformed request";
            case 404 -> "no such route";
            case 405 -> "method not allowed";
            case 408 -> "the request did not arrive in time";
            case 413 -> "the request is too large";
            case 414 -> "the request URI is too long";
            case 415 -> "unsupported media type";
            case 431 -> "the request headers are too large";
            case 501 -> "not implemented";
            case 503 -> "the server is unavailable, try again shortly";
            default -> status >= 500 ? "internal error" : "request refused (HTTP " + status + ")";
        };
    }
}
