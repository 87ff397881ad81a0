package chatcache.logging;

import org.slf4j.MDC;

import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The id of the HTTP request a thread is handling: kept in SLF4J's MDC under {@value #MDC_KEY},
 * where the log encoder finds it for every line the thread writes meanwhile.
 */
public final class RequestId {
    public static final String MDC_KEY = "requestId";
    static final int MAX_LENGTH = 64;
    /**
     * why so strict: the id is written into every log line and answered in a header; letters,
     * digits and {@code . _ : + / = -} cover UUIDs, hex and base64 ids and tracing headers, and
     * can neither break a line, a JSON string or a header, nor carry a message's text.
     */
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:+/=-]{1," + MAX_LENGTH + "}");

    private RequestId() {
    }

    /** The id a client (or a proxy) sent, if it is sane; otherwise a new one. */
    public static String acceptOrMake(String offered) {
        return offered != null && SANE.matcher(offered).matches() ? offered : make();
    }

    /** A new id: 128 random bits, 22 characters of base64url. */
    public static String make() {
        // why not UUID.randomUUID: ids need to be unique, not unguessable, and SecureRandom is a
        // shared lock on every request
        ThreadLocalRandom random = ThreadLocalRandom.current();
        byte[] bits = new byte[16];
        random.nextBytes(bits);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
    }

    /** The id of the request this thread is handling, or null outside of one. */
    public static String current() {
        return MDC.get(MDC_KEY);
    }

    /** From now on, this thread's log lines belong to this request. */
    public static void enter(String id) {
        MDC.put(MDC_KEY, id);
    }

    /** This thread is done with its request. */
    public static void leave() {
        MDC.remove(MDC_KEY);
    }
}
