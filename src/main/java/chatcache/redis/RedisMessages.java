package chatcache.redis;

import chatcache.core.Message;
import chatcache.events.EventRetention;
import chatcache.message.Explain;
import chatcache.message.Held;
import chatcache.message.HeldMessages;
import chatcache.message.MessageCache;
import chatcache.query.OrderKey;
import chatcache.query.Slice;
import chatcache.rediskit.Redis;
import chatcache.rediskit.ReplicaWait;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Messages as Redis hashes indexed by idx:messages: the cache, and the read path of everyone but
 * API clients. Each role is its own class: {@link MessageWrites} (writes, removals, tombstones),
 * {@link MessageSlices} with {@link OrderWalk}, {@link FilteredSearch} and {@link IndexSearch}
 * (reads and search), {@link ReadMarks}, {@link CacheChecks} (verify and rebuild), and
 * {@link SliceExplain}; this class puts them behind the interfaces the services use.
 */
public final class RedisMessages implements MessageCache, HeldMessages {
    private final IndexSearch search;
    private final MessageWrites writes;
    private final MessageSlices slices;
    private final ReadMarks marks;
    private final CacheChecks checks;
    private final ChatDrop drops;
    private final ChatVersions versions;

    /**
     * @param groups   the groups chats are spread over, and their keys' names
     * @param events   how much of each chat's event stream the writes here keep when they append
     * @param window   how many of each chat's newest messages Redis holds (0: all of them)
     * @param replicas the replicas read marks made here must reach before the page that made them is answered
     */
    public RedisMessages(Redis redis, ChatGroups groups, SearchIndex index, OrderIndex order, EventRetention events,
                         int window, ReplicaWait replicas) {
        List<String> eventArgs = EventAppend.args(events);
        this.search = new IndexSearch(index, groups);
        this.writes = new MessageWrites(redis, groups, index, order, eventArgs, window);
        this.slices = new MessageSlices(redis, search);
        this.marks = new ReadMarks(redis, groups, eventArgs, replicas);
        this.checks = new CacheChecks(redis, groups, search, index, order);
        this.drops = new ChatDrop(redis, groups, index, eventArgs);
        this.versions = new ChatVersions(redis, groups);
    }

    @Override
    public String name() {
        return "redis";
    }

    /** Whether the index holds each message's current read state (see {@link SearchIndex#holdsReadState}). */
    public boolean readIndexed() {
        return search.readIndexed();
    }

    @Override
    public void put(List<Message> messages) {
        writes.put(messages);
    }

    @Override
    public void putAll(List<Message> messages) {
        writes.putAll(messages);
    }

    @Override
    public void removeAll(long chatId, Collection<Long> ids) {
        writes.removeAll(chatId, ids);
    }

    @Override
    public void removeAnywhere(Collection<Long> ids) {
        writes.removeAnywhere(ids);
    }

    /** The message if Redis holds it (a message below the chat's boundary is not found here). */
    @Override
    public Optional<Message> find(long chatId, long messageId) {
        return slices.find(chatId, messageId, false).message();
    }

    /** The slice among the messages Redis holds (see {@link chatcache.message.RedisRoute} for whole pages). */
    @Override
    public List<Message> slice(Slice slice) {
        return slices.slice(slice, false, null).messages();
    }

    @Override
    public Held<List<Message>> sliceHeld(Slice slice, boolean position) {
        MessageSlices.Sliced s = slices.slice(slice, position, null);
        return new Held<>(s.messages(), place(s.boundary()), s.position(), s.exact());
    }

    @Override
    public Held<Optional<Message>> findHeld(long chatId, long messageId, boolean position) {
        MessageSlices.Found f = slices.find(chatId, messageId, position);
        return new Held<>(f.message(), place(f.boundary()), f.position(), false);
    }

    @Override
    public java.util.OptionalLong version(long chatId) {
        return versions.read(chatId);
    }

    @Override
    public Optional<OrderKey> boundary(long chatId) {
        return place(slices.boundary(chatId));
    }

    private static Optional<OrderKey> place(String boundary) {
        return boundary.isEmpty() ? Optional.empty() : Optional.of(OrderKey.ofSortKey(boundary));
    }

    /** Marks read, and records the marks for MySQL in the same Lua call. */
    @Override
    public List<Long> markRead(long chatId, Collection<Long> ids) {
        marks.mark(chatId, ids, true);
        return List.of();
    }

    /** Marks made on the MySQL path, copied here. */
    @Override
    public void copyReadMarks(long chatId, Collection<Long> ids) {
        marks.mark(chatId, ids, false);
    }

    @Override
    public Map<Long, Message> getAll(long chatId, Collection<Long> ids) {
        return checks.getAll(chatId, ids);
    }

    @Override
    public Set<Long> withOtherWords(List<Message> messages) {
        return checks.withOtherWords(messages);
    }

    @Override
    public long drop(long chatId) {
        return drops.drop(chatId);
    }

    @Override
    public long dropAll(List<Long> chatIds) {
        return drops.dropAll(chatIds);
    }

    @Override
    public Held<Boolean> window(long chatId) {
        String boundary = checks.boundary(chatId);
        return new Held<>(boundary != null, boundary == null ? Optional.empty() : place(boundary));
    }

    @Override
    public Set<Long> orderedIds(long chatId) {
        return checks.orderedIds(chatId);
    }

    @Override
    public Map<Long, Set<Long>> orderedIdsByAuthor(long chatId) {
        return checks.orderedIdsByAuthor(chatId);
    }

    @Override
    public long removeStale(long chatId, Set<Long> keep, Function<Set<Long>, Set<Long>> stillWanted) {
        return checks.removeStale(chatId, keep, stillWanted);
    }

    @Override
    public long indexedReadCount(long chatId) {
        return checks.indexedReadCount(chatId);
    }

    @Override
    public long indexedCount(long chatId) {
        return checks.indexedCount(chatId);
    }

    /** The commands this store sends for the pager's steps (explain). */
    public Explain.Translator<List<String>> translator() {
        return new SliceExplain(slices, search);
    }
}
