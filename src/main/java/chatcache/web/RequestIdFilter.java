package chatcache.web;

import chatcache.logging.RequestId;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * Gives every request an id: the client's {@value #HEADER} if it is sane, a new one otherwise;
 * answers it in the same header and puts it in the log context for as long as the request's
 * thread works on it. why a servlet filter and not a before-handler: it wraps all of Javalin
 * (before-handlers that refuse, routes, exception and error mapping, 404s, after-handlers), and
 * its {@code finally} clears the id whatever happened, so the thread's next request or idle
 * logging cannot carry it.
 */
public final class RequestIdFilter implements Filter {
    public static final String HEADER = "X-Request-Id";
    /** The request's id, for the error pages Jetty writes after the filter has run. */
    static final String ATTRIBUTE = RequestIdFilter.class.getName();

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String id = RequestId.acceptOrMake(((HttpServletRequest) request).getHeader(HEADER));
        request.setAttribute(ATTRIBUTE, id);
        ((HttpServletResponse) response).setHeader(HEADER, id);
        RequestId.enter(id);
        try {
            chain.doFilter(request, response);
        } finally {
            RequestId.leave();
        }
    }

    /** The id of this request, or a new one for a request the filter never saw (Jetty refused it first). */
    static String of(java.util.function.Function<String, Object> attributes) {
        Object id = attributes.apply(ATTRIBUTE);
        return id instanceof String s ? s : RequestId.make();
    }
}
