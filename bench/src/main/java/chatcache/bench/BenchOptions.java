package chatcache.bench;

import chatcache.query.SearchCriteria;

import java.util.List;

/**
 * What one bench run measures: one large chat per size in {@code sizes} (chat id
 * {@link #chatIdOf}), plus {@code backgroundChats} chats of {@code backgroundMessages} each;
 * pages of {@code limit} at the top, of one author, and {@code depth} messages deep (less in a
 * chat too small for it); each workload on each path with every client count in {@code clients},
 * in {@code rounds} rounds of {@code roundMillis} after warm-up passes of {@code warmupMillis} per
 * row (until the JIT is quiet, at most {@code warmupPasses}). With {@code subscribers} above 0
 * (issue #13), that many event streams over {@code subscriberChats} chats, and the latest page
 * again with them open, idle and while {@code eventPostsPerSecond} posts a second stream to them. Above
 * {@code naiveUpTo} messages the naive RediSearch baseline runs with one client only. With
 * writes, the latest page is also measured while {@code writers} clients post into the write chat.
 */
public record BenchOptions(List<Integer> sizes, int depth, List<Integer> clients, int rounds, int roundMillis,
                           int warmupMillis, int warmupPasses, int limit, int backgroundChats, int backgroundMessages,
                           boolean writes, boolean baselines, long chatIdBase,
                           int naiveUpTo, int writers, int subscribers, int subscriberChats, int eventPostsPerSecond) {
    /** Bench chats live far above any id a demo or a test uses. */
    public static final long CHAT_ID_BASE = 1_000_000_000L;
    /**
     * The large chats of the current layout (issue #10: words, read state, the API user's
     * messages): CHAT_ID_BASE + LAYOUT_OFFSET + N. why not CHAT_ID_BASE + N: chats of that id were
     * loaded by the layout before, all unread, by 20 authors, without marker words; reused, they
     * would give the new rows nothing to find. They are left where they are, never read.
     */
    public static final long LAYOUT_OFFSET = 10_000_000L;
    /** Sizes stay below this, so that no large chat's id reaches the background chats'. */
    public static final int MAX_SIZE = 400_000_000;
    /** Background chats: CHAT_ID_BASE + BACKGROUND_OFFSET + i. */
    public static final long BACKGROUND_OFFSET = 500_000_000L;
    /** The chat the write workload posts into. */
    public static final long WRITE_OFFSET = 900_000_000L;
    /** The chats the live-events subscribers follow: CHAT_ID_BASE + SUBSCRIBER_OFFSET + i. */
    public static final long SUBSCRIBER_OFFSET = 950_000_000L;
    /** At most this many subscriber chats, so that their ids stay below the next range. */
    public static final int MAX_SUBSCRIBER_CHATS = 10_000;

    public BenchOptions {
        sizes = List.copyOf(sizes);
        clients = List.copyOf(clients);
        if (sizes.isEmpty() || sizes.stream().anyMatch(n -> n < 1 || n > MAX_SIZE)) {
            throw new IllegalArgumentException("--sizes must be one or more sizes of 1.." + MAX_SIZE);
        }
        if (limit < 1 || limit > SearchCriteria.MAX_LIMIT) {
            throw new IllegalArgumentException("--limit must be 1.." + SearchCriteria.MAX_LIMIT);
        }
        if (depth < 1) {
            throw new IllegalArgumentException("--depth must be at least 1");
        }
        for (int n : sizes) {
            if (2L * (limit + 1) > n) {
                throw new IllegalArgumentException("every size must be at least 2 * (limit + 1) = " + 2 * (limit + 1));
            }
        }
        if (clients.isEmpty() || clients.stream().anyMatch(c -> c < 1 || c > 1024)) {
            throw new IllegalArgumentException("--clients must be one or more counts of 1..1024");
        }
        if (rounds < 1 || rounds > 3600) {
            throw new IllegalArgumentException("--seconds must be 1..3600");
        }
        if (roundMillis < 50 || roundMillis > 60_000) {
            throw new IllegalArgumentException("--round-ms must be 50..60000");
        }
        if (warmupMillis < 0 || warmupMillis > 600_000) {
            throw new IllegalArgumentException("--warmup-ms must be 0..600000");
        }
        if (warmupPasses < 1 || warmupPasses > 100) {
            throw new IllegalArgumentException("--warmup-passes must be 1..100");
        }
        if (backgroundChats < 0 || backgroundMessages < 0) {
            throw new IllegalArgumentException("--background must be CHATSxMESSAGES, both at least 0");
        }
        if (chatIdBase <= 0) {
            throw new IllegalArgumentException("--chat-base must be a positive chat id");
        }
        if (writers < 0 || writers > 1024) {
            throw new IllegalArgumentException("--writers must be 0..1024");
        }
        if (subscribers < 0 || subscribers > 100_000) {
            throw new IllegalArgumentException("--subscribers must be 0..100000");
        }
        if (subscriberChats < 1 || subscriberChats > MAX_SUBSCRIBER_CHATS
                || (subscribers > 0 && subscriberChats > subscribers)) {
            throw new IllegalArgumentException("--subscriber-chats must be 1.." + MAX_SUBSCRIBER_CHATS
                    + " and at most --subscribers (every chat needs a subscriber)");
        }
        if (eventPostsPerSecond < 1 || eventPostsPerSecond > 10_000) {
            throw new IllegalArgumentException("--event-posts-per-second must be 1..10000");
        }
    }

    /** The large chat of a size: one chat per size, so that a later run of that size reuses it. */
    public long chatIdOf(int messages) {
        return chatIdBase + LAYOUT_OFFSET + messages;
    }

    /** Whether the latest page is also measured under writes. */
    public boolean underWrites() {
        return writes && writers > 0;
    }

    public long backgroundChatId(int i) {
        return chatIdBase + BACKGROUND_OFFSET + i;
    }

    /** The i-th chat the live-events subscribers follow. */
    public long subscriberChatId(int i) {
        return chatIdBase + SUBSCRIBER_OFFSET + i;
    }

    public long writeChatId() {
        return chatIdBase + WRITE_OFFSET;
    }

    /** The deep page's depth in a chat of n: --depth, or half the chat when it is too small for it. */
    public int depthIn(int n) {
        return (long) depth + 1 + limit <= n ? depth : n / 2;
    }

    public int largestSize() {
        return sizes.stream().mapToInt(Integer::intValue).max().orElseThrow();
    }

    public int smallestSize() {
        return sizes.stream().mapToInt(Integer::intValue).min().orElseThrow();
    }

    public int mostClients() {
        return clients.stream().mapToInt(Integer::intValue).max().orElseThrow();
    }
}
