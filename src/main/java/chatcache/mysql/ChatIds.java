package chatcache.mysql;

import java.security.SecureRandom;

/**
 * The ids of new chats: random, so that nobody learns from the id of a chat they made, or from
 * probing the ids next to it, which private chats exist or how many chats there are (README,
 * Security). why below 10^14: the ids stay exact in JSON (under 2^53) and in Redis's Lua, whose
 * numbers print with 14 significant digits; 10^14 - 10^12 choices are still far more than any
 * caller can probe within the rate limits.
 */
final class ChatIds {
    static final long MIN = 1_000_000_000_000L;
    static final long MAX_EXCLUSIVE = 100_000_000_000_000L;

    private final SecureRandom random = new SecureRandom();

    long next() {
        return MIN + random.nextLong(MAX_EXCLUSIVE - MIN);
    }
}
