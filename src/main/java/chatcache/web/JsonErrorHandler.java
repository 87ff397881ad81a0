package chatcache.web;

import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The errors Jetty answers itself, before or outside Javalin's routing (a malformed request line,
 * an ambiguous path such as {@code %00}, a URI or headers too large, a body that timed out): as
 * {@code {"error": ...}} like every other error, with a text of ours rather than Jetty's (which
 * may name its internals), whatever the method and the request's Accept header. A CONNECT Jetty
 * refuses (such as {@code CONNECT *}) is answered as every CONNECT is: 405.
 */
final class JsonErrorHandler extends ErrorHandler {

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        boolean connect = HttpMethod.CONNECT.is(request.getMethod());
        int status = connect ? HttpStatus.METHOD_NOT_ALLOWED_405
                : status(response.getStatus(), (Throwable) request.getAttribute(ERROR_EXCEPTION));
        response.setStatus(status);
        HttpFields.Mutable headers = response.getHeaders();
        headers.put(HttpHeader.CONTENT_TYPE, "application/json");
        SecurityHeaders.apply(headers::put);
        headers.put(RequestIdFilter.HEADER, RequestIdFilter.of(request::getAttribute));
        // why: what Jetty refuses is no request to keep a connection open for; and Jetty keeps a
        // CONNECT's connection open (a tunnel) unless told to close it
        headers.put(HttpHeader.CONNECTION, "close");
        if (HttpStatus.hasNoBody(status)) {
            callback.succeeded();
        } else {
            // why one last write: Jetty then sends a Content-Length rather than chunks
            String text = connect ? RequestChecks.CONNECT_REFUSED : text(status);
            response.write(true, ByteBuffer.wrap(body(text)), callback);
        }
        return true;
    }

    /**
     * The status to answer. why 505 becomes 400: Jetty answers a request line without a version
     * (HTTP/0.9) or with an unknown one with 505, a 5xx that any client can cause at will and that
     * would count as a server failure in every 5xx alert.
     */
    static int status(int status, Throwable cause) {
        if (cause instanceof HttpException parsing) {
            status = parsing.getCode();
        }
        return status == HttpStatus.HTTP_VERSION_NOT_SUPPORTED_505 ? HttpStatus.BAD_REQUEST_400 : status;
    }

    private static byte[] body(String text) {
        return ("{\"error\":\"" + text + "\"}").getBytes(StandardCharsets.UTF_8);
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
