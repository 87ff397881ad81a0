package chatcache.redis;

/**
 * The stream ({@link KeySpace#readMarks}, one per group) in which Redis's scripts record read marks and members' read markers in the same
 * step that makes them, for {@link chatcache.replication.ReadMarkRelay} to carry to MySQL.
 */
public final class ReadMarkLog {
    /** The consumer group of the relay (chatcache.replication.ReadMarkRelay) on each stream. */
    public static final String RELAY_GROUP = "mysql";
    /** An entry's field listing message ids marked read, comma-separated. */
    public static final String IDS = "ids";
    /** An entry's field holding one member's marker moved forward: {@code chat:user:sortKey}. */
    public static final String MARKER = "marker";

    private ReadMarkLog() {
    }
}
