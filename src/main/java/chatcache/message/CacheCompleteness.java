package chatcache.message;

/**
 * Whether Redis holds a complete copy (of chats, and of each chat's window of messages). Until it
 * does (cold start, a flushed or restarted Redis, a rebuild under way, a chat not held), readers
 * of a chat are answered from MySQL: the Redis backend checks it with every read and throws
 * {@link CacheIncompleteException}.
 */
public interface CacheCompleteness {
    /** True when the whole cache was (re)built and not lost since. */
    boolean holdsAll();

    /**
     * A part of the cache as its completeness claims divide it (on one Redis one claim for all; with
     * groups of chats one claim per group, so that a Redis Cluster primary that lost its data
     * costs a rebuild of its groups, not of every chat).
     */
    interface Part {
        boolean isEmpty();

        /** Every claim of the cache. */
        boolean isWhole();

        boolean includes(long chatId);
    }

    /** The whole cache. */
    Part whole();

    /** The part whose claim is missing now (lost with its data, or withdrawn by a rebuild): empty when {@link #holdsAll}. */
    Part lacking();

    /** Withdraws the part's claim: its readers go to MySQL. */
    void markIncomplete(Part part);

    /**
     * Claims the part again, with a new epoch ({@code chatcache.events}), which every other part
     * still claimed takes too: clients of any chat reload once (a part missing meanwhile stays so).
     */
    void markComplete(Part part);

    default void markAllComplete() {
        markComplete(whole());
    }

    default void markAllIncomplete() {
        markIncomplete(whole());
    }

    /**
     * Readers of the chat go to MySQL from now on, and writes to it reach Redis (the chat is held,
     * from now on, at least from its boundary up: "" for a chat Redis did not hold).
     */
    default void markChatRebuilding(long chatId) {
        markChatsRebuilding(java.util.List.of(chatId));
    }

    /** {@link #markChatRebuilding} for many chats, in one round trip. */
    void markChatsRebuilding(java.util.Collection<Long> chatIds);

    /**
     * {@link #markChatsRebuilding}, and records that a loader holding each chat's lock loads it:
     * a chat left so without its lock (the loader died) is dropped and loaded again.
     */
    void markChatsLoading(java.util.Collection<Long> chatIds);

    /**
     * Readers of the chat are answered by Redis again. {@code oldestLoaded}: the place of the
     * oldest message loaded, when MySQL holds older ones (Redis holds the chat from there up);
     * empty when everything MySQL holds of the chat was loaded.
     */
    default void markChatComplete(long chatId, java.util.Optional<chatcache.query.OrderKey> oldestLoaded) {
        markChatsComplete(java.util.Map.of(chatId, oldestLoaded));
    }

    /** {@link #markChatComplete} for many chats, in one round trip. */
    void markChatsComplete(java.util.Map<Long, java.util.Optional<chatcache.query.OrderKey>> oldestLoaded);
}
