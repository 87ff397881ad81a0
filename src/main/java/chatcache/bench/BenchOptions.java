package chatcache.bench;

import chatcache.query.SearchCriteria;

/**
 * What one bench run measures: a chat of {@code messages} messages (chat id {@code chatId}),
 * pages of {@code limit} taken at the top and {@code depth} messages deep, {@code clients}
 * concurrent HTTP clients for {@code seconds} per workload and route after {@code warmupSeconds}.
 */
public record BenchOptions(int messages, int depth, int clients, int seconds, int warmupSeconds, int limit,
                           long chatId) {
    /** Bench chats live far above any id a demo or a test uses. */
    public static final long CHAT_ID_BASE = 1_000_000_000L;

    public BenchOptions {
        if (messages < 1) {
            throw new IllegalArgumentException("--messages must be at least 1");
        }
        if (limit < 1 || limit > SearchCriteria.MAX_LIMIT) {
            throw new IllegalArgumentException("--limit must be 1.." + SearchCriteria.MAX_LIMIT);
        }
        if (depth < 1) {
            throw new IllegalArgumentException("--depth must be at least 1");
        }
        // the anchor has `depth` newer messages; the deep page needs `limit` older ones below it
        if ((long) depth + 1 + limit > messages) {
            throw new IllegalArgumentException("--messages must be at least depth + 1 + limit = "
                    + ((long) depth + 1 + limit) + " so that the deep page is full");
        }
        if (clients < 1 || clients > 1024) {
            throw new IllegalArgumentException("--clients must be 1..1024");
        }
        if (seconds < 1 || seconds > 3600) {
            throw new IllegalArgumentException("--seconds must be 1..3600");
        }
        if (warmupSeconds < 0 || warmupSeconds > 600) {
            throw new IllegalArgumentException("--warmup must be 0..600");
        }
        if (chatId <= 0) {
            throw new IllegalArgumentException("--chat must be a positive chat id");
        }
    }

    /** The default chat of a size: one chat per size, so that a later run of that size reuses it. */
    public static long defaultChatId(int messages) {
        return CHAT_ID_BASE + messages;
    }
}
