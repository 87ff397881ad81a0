package chatcache.redis;

/**
 * The names of every Redis key of one group of chats (docs/design-cluster.md). On one Redis there
 * is one group, {@link #STANDALONE}, and every name is what it always was ({@code messages:<id>},
 * {@code idx:messages}, ...). A group of a Redis Cluster carries its hash tag {@code {g<N>}} in
 * every name, so that all of a group's keys, its index and the keys its scripts derive lie in
 * one slot: after a prefix ({@code messages:{g7}:<id>}) for keys named per chat, message or
 * user, at the end ({@code chatcache:complete:{g7}}) for the group's own keys.
 *
 * <p>Keys used alone (tokens, rate limits, leases, the layout, the replication barrier) are not
 * here: each is its own slot in every mode.
 */
public final class KeySpace {
    /** The one group of a standalone Redis (or a Sentinel's primary): today's names. */
    public static final KeySpace STANDALONE = new KeySpace("");

    private final String tag;
    /** Put after a prefix: "" or "{g7}:". */
    private final String inner;
    /** Put after a group's own key: "" or ":{g7}". */
    private final String outer;

    private KeySpace(String tag) {
        this.tag = tag;
        this.inner = tag.isEmpty() ? "" : tag + ":";
        this.outer = tag.isEmpty() ? "" : ":" + tag;
    }

    /** Group {@code n} of a cluster's groups. */
    public static KeySpace group(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("a group's number is 0 or more: " + n);
        }
        return new KeySpace("{g" + n + "}");
    }

    /** The hash tag, with its braces; "" for {@link #STANDALONE}. */
    public String tag() {
        return tag;
    }

    /** The hash of one message. */
    public String message(long id) {
        return messagePrefix() + id;
    }

    /** What every message hash's name starts with (the 2.x index's PREFIX). */
    public String messagePrefix() {
        return "messages:" + inner;
    }

    /** The message id a message hash's name ends with. */
    public long messageId(String key) {
        return idAfter(messagePrefix(), key);
    }

    /**
     * The key a piece of work on this group is routed by (chatcache.rediskit.Redis): any name of
     * the group's slot does; the index's is the one FT commands are routed by anyway.
     */
    public String route() {
        return index();
    }

    /** The RediSearch index of the group's messages. */
    public String index() {
        return "idx:messages" + outer;
    }

    /**
     * A read mark copied from MySQL for a message Redis has no hash of yet (see
     * {@link MessageHash#PENDING_READ_SECONDS}).
     */
    public String pendingRead(long id) {
        return "chatcache:read:" + inner + id;
    }

    /** The tombstone of a deleted message (see MessageWrites). */
    public String deleted(long id) {
        return "chatcache:deleted:" + inner + id;
    }

    /** A chat's order index (its buckets are this name and a suffix: schema/lua/order-index.lua). */
    public String order(long chatId) {
        return orderPrefix() + chatId;
    }

    /** The order index of one author's messages in a chat. */
    public String order(long chatId, long authorId) {
        return order(chatId) + ":user:" + authorId;
    }

    /** What every order index's name starts with. */
    public String orderPrefix() {
        return "order:chat:" + inner;
    }

    /** A chat's hash: visibility, version, members and their read markers. */
    public String chat(long chatId) {
        return chatPrefix() + chatId;
    }

    /** What every chat hash's name starts with. */
    public String chatPrefix() {
        return "chats:" + inner;
    }

    /** The chat id a chat hash's name ends with. */
    public long chatId(String key) {
        return idAfter(chatPrefix(), key);
    }

    /** What the set of a user's chats (in this group) is named after; the user's id follows. */
    public String userChatsPrefix() {
        return "user-chats:" + inner;
    }

    /** The set of a user's chats in this group. */
    public String userChats(long userId) {
        return userChatsPrefix() + userId;
    }

    /** Whether Redis holds a chat, and from which message on (see CacheState). */
    public String held(long chatId) {
        return heldPrefix() + chatId;
    }

    /** What every held key's name starts with. */
    public String heldPrefix() {
        return "held:" + inner;
    }

    /** Moved by each write Redis skips below a chat's window (see CacheState). */
    public String belowEpoch(long chatId) {
        return belowEpochPrefix() + chatId;
    }

    /** What every below-epoch's name starts with. */
    public String belowEpochPrefix() {
        return "chatcache:below-epoch:" + inner;
    }

    /** A chat's version (see ChatVersions). */
    public String version(long chatId) {
        return versionPrefix() + chatId;
    }

    /** What every chat version's name starts with. */
    public String versionPrefix() {
        return "chatcache:version:" + inner;
    }

    /** A chat's event stream (see chatcache.events.ChatEvents). */
    public String events(long chatId) {
        return eventsPrefix() + chatId;
    }

    /** What every event stream's name starts with. */
    public String eventsPrefix() {
        return "chatcache:events:" + inner;
    }

    /** The chat id an event stream's name ends with. */
    public long eventsChatId(String key) {
        return idAfter(eventsPrefix(), key);
    }

    /** The lock a loader or trimmer of a chat holds (see chatcache.replication.ChatLocks). */
    public String lock(long chatId) {
        return "chatcache:lock:chat:" + inner + chatId;
    }

    /** Exists when Redis holds every chat of the group (its value: when the last full rebuild ended). */
    public String complete() {
        return "chatcache:complete" + outer;
    }

    /**
     * Exists while the group's index is being built on its node over hashes already there (a slot
     * that moved, an index created afresh): until the build ends its searches are short, so the
     * group's filtered pages are MySQL's (see {@link SearchIndex#building}).
     */
    public String indexing() {
        return "chatcache:indexing" + outer;
    }

    /** The chats of the group being rebuilt or loaded. */
    public String rebuilding() {
        return "chatcache:rebuilding" + outer;
    }

    /** The chats being loaded, of those rebuilding. */
    public String loading() {
        return "chatcache:loading" + outer;
    }

    /** When each chat held was last read. */
    public String chatReads() {
        return "chatcache:chat-reads" + outer;
    }

    /** The chats some instance has a client following (see chatcache.events.ChatEvents). */
    public String followed() {
        return "chatcache:followed" + outer;
    }

    /**
     * What a confirmation that the group's writes reached the replicas writes to
     * (chatcache.rediskit.ReplicaWait): a key of the group's slot, so of its primary.
     */
    public String barrier() {
        return "chatcache:replication-barrier" + outer;
    }

    /** The stream of read marks for MySQL (see ReadMarkLog). */
    public String readMarks() {
        return "chatcache:read-marks" + outer;
    }

    private static long idAfter(String prefix, String key) {
        if (!key.startsWith(prefix)) {
            throw new IllegalArgumentException("not named " + prefix + "<id>: " + key);
        }
        return Long.parseLong(key.substring(prefix.length()));
    }

    /**
     * Lua that names, from the script's first key, the prefixes scripts build names with
     * (MESSAGE_PREFIX, PENDING_READ, EV_PREFIX, VERSION_PREFIX). why from KEYS[1]: a script is
     * loaded once for every group, and its first key is always one of its group's, so the names it
     * derives carry that key's tag and stay in its slot.
     */
    static String luaNames() {
        return "local GROUP = string.match(KEYS[1] or '', '{[^}]*}')\n"
                + "GROUP = GROUP and (GROUP .. ':') or ''\n"
                + "local MESSAGE_PREFIX = '" + STANDALONE.messagePrefix() + "' .. GROUP\n"
                + "local PENDING_READ = 'chatcache:read:' .. GROUP\n"
                + "local EV_PREFIX = '" + STANDALONE.eventsPrefix() + "' .. GROUP\n"
                + "local VERSION_PREFIX = '" + STANDALONE.versionPrefix() + "' .. GROUP\n";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeySpace k && k.tag.equals(tag);
    }

    @Override
    public int hashCode() {
        return tag.hashCode();
    }

    @Override
    public String toString() {
        return tag.isEmpty() ? "the standalone key space" : "group " + tag;
    }
}
