package chatcache.logging;

import java.sql.SQLException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Exceptions as the logs may show them: class, stack and only such message text as cannot hold
 * data. why: the stores echo what they were given in their errors (MySQL's "Duplicate entry
 * '...'" and "Incorrect string value: '...'", Hibernate's wrappers that repeat them, RediSearch's
 * "Syntax error ... near ...", Redis's "unknown command ..., with args beginning with: ...",
 * Jackson's "Source: ..." excerpt), and a message's text, a token or a password may be what they
 * were given. Scrubbing quotes out of such text cannot be made safe (a text may hold quotes), so a
 * message is kept only where its kind is known to carry none: our own (less any cause's text
 * they repeat), connection and timeout failures; a SQL error shows its SQLState and code, a Redis
 * error its code word (ERR, WRONGTYPE, NOSCRIPT...); every other message is withheld.
 */
public final class ExceptionText {
    static final String WITHHELD = "[message withheld]";
    /** Exceptions whose messages name hosts, ports, timeouts and pool states, never data. */
    private static final Set<String> CONNECTION_FAILURES = Set.of(
            "java.net.SocketException",
            "java.net.SocketTimeoutException",
            "java.net.UnknownHostException",
            "java.io.EOFException",
            "java.io.InterruptedIOException",
            "java.util.concurrent.TimeoutException",
            "java.sql.SQLTransientConnectionException",
            "java.sql.SQLNonTransientConnectionException",
            "java.sql.SQLRecoverableException",
            "com.mysql.cj.exceptions.CJCommunicationsException",
            "redis.clients.jedis.exceptions.JedisConnectionException",
            "redis.clients.jedis.exceptions.JedisExhaustedPoolException");
    private static final String REDIS_ERROR = "redis.clients.jedis.exceptions.JedisDataException";
    private static final int MAX_CAUSES = 10;

    private ExceptionText() {
    }

    /**
     * One line: each exception of the cause chain as {@code SimpleName: safe message}, e.g.
     * {@code BackendUnavailableException: Redis could not read messages; caused by
     * JedisConnectionException: Failed to connect to any host resolved for DNS name.}
     */
    public static String summary(Throwable e) {
        StringBuilder out = new StringBuilder();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = e; t != null && seen.add(t) && seen.size() <= MAX_CAUSES; t = t.getCause()) {
            if (t != e) {
                out.append("; caused by ");
            }
            out.append(t.getClass().getSimpleName());
            String message = message(t);
            if (!message.isEmpty()) {
                out.append(": ").append(message);
            }
        }
        return out.toString();
    }

    /**
     * The stack trace as {@link Throwable#printStackTrace()} writes it (causes, suppressed
     * exceptions, frames shared with the enclosing trace elided), with safe messages only.
     */
    public static String stackTrace(Throwable e) {
        StringBuilder out = new StringBuilder();
        append(out, e, List.of(), "", "", Collections.newSetFromMap(new IdentityHashMap<>()));
        return out.toString();
    }

    private static void append(StringBuilder out, Throwable t, List<StackTraceElement> enclosing, String caption,
                               String indent, Set<Throwable> seen) {
        if (!seen.add(t)) {
            out.append(indent).append(caption).append("[circular reference: ").append(t.getClass().getName()).append("]\n");
            return;
        }
        String message = message(t);
        out.append(indent).append(caption).append(t.getClass().getName());
        if (!message.isEmpty()) {
            out.append(": ").append(message);
        }
        out.append('\n');
        List<StackTraceElement> frames = List.of(t.getStackTrace());
        int shared = 0;
        while (shared < frames.size() && shared < enclosing.size()
                && frames.get(frames.size() - 1 - shared).equals(enclosing.get(enclosing.size() - 1 - shared))) {
            shared++;
        }
        for (StackTraceElement frame : frames.subList(0, frames.size() - shared)) {
            out.append(indent).append("\tat ").append(frame).append('\n');
        }
        if (shared > 0) {
            out.append(indent).append("\t... ").append(shared).append(" more\n");
        }
        for (Throwable suppressed : t.getSuppressed()) {
            append(out, suppressed, frames, "Suppressed: ", indent + "\t", seen);
        }
        if (t.getCause() != null) {
            append(out, t.getCause(), frames, "Caused by: ", indent, seen);
        }
    }

    /** What of this exception's own message may be logged; empty when it has none. */
    static String message(Throwable t) {
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            return "";
        }
        if (t.getClass().getName().startsWith("chatcache.")) {
            return withoutCauseText(message, t);
        }
        if (isA(t, CONNECTION_FAILURES)) {
            return message;
        }
        if (t instanceof SQLException sql) {
            return "SQLState " + sql.getSQLState() + ", error " + sql.getErrorCode();
        }
        if (isA(t, Set.of(REDIS_ERROR))) {
            String code = message.split(" ", 2)[0];
            return code.matches("[A-Z]{2,20}") ? code + " " + WITHHELD : WITHHELD;
        }
        return WITHHELD;
    }

    /**
     * Our messages often end with a cause's text ({@code "Redis could not read: " + e.getMessage()});
     * that part is the cause's to show, under its own rules.
     */
    private static String withoutCauseText(String message, Throwable t) {
        String kept = message;
        Throwable c = t.getCause();
        for (int depth = 0; c != null && depth < MAX_CAUSES; depth++, c = c.getCause()) {
            String theirs = c.getMessage();
            int at = theirs == null || theirs.isEmpty() ? -1 : kept.indexOf(theirs);
            if (at >= 0) {
                kept = kept.substring(0, at);
            }
        }
        kept = kept.strip();
        while (kept.endsWith(":")) {
            kept = kept.substring(0, kept.length() - 1).strip();
        }
        return kept;
    }

    private static boolean isA(Throwable t, Set<String> classNames) {
        for (Class<?> c = t.getClass(); c != null; c = c.getSuperclass()) {
            if (classNames.contains(c.getName())) {
                return true;
            }
        }
        return false;
    }
}
