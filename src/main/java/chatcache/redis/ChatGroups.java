package chatcache.redis;

import chatcache.rediskit.Redis;
import redis.clients.jedis.Jedis;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.ToLongFunction;
import java.util.stream.IntStream;

/**
 * The groups chats are spread over, each with its {@link KeySpace}: chat {@code c} is in group
 * {@code c mod count} (docs/design-cluster.md). One Redis has one group with today's names.
 */
public final class ChatGroups {
    private final List<KeySpace> all;

    private ChatGroups(List<KeySpace> all) {
        this.all = all;
    }

    /** The one group with today's names. */
    public static ChatGroups standalone() {
        return new ChatGroups(List.of(KeySpace.STANDALONE));
    }

    /**
     * {@code count} groups named {@code {g0}} ... (as a Redis Cluster needs them), or, for 1, the
     * {@link #standalone} names.
     */
    public static ChatGroups withCount(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("at least one group: " + count);
        }
        return count == 1 ? standalone() : tagged(count);
    }

    /**
     * {@code count} groups named {@code {g0}} ..., also for 1: a Redis Cluster needs the tags
     * (a group's keys, index and scripts in one slot) however many groups there are.
     */
    public static ChatGroups tagged(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("at least one group: " + count);
        }
        return new ChatGroups(IntStream.range(0, count).mapToObj(KeySpace::group).toList());
    }

    /** Whether the groups' names carry hash tags (else: the one group of {@link #standalone}). */
    public boolean tagged() {
        return !all.get(0).equals(KeySpace.STANDALONE);
    }

    /** How many groups there are. */
    public int count() {
        return all.size();
    }

    /** The group of a chat. */
    public KeySpace of(long chatId) {
        return all.get((int) Math.floorMod(chatId, (long) all.size()));
    }

    /**
     * Items by the group of their chat, each group's in the order given, the groups in the order
     * first met. why: a command, script or transaction may only name keys of one group (one slot
     * on a Redis Cluster), so work over several chats is split by group.
     */
    public <T> Map<KeySpace, List<T>> split(Collection<T> items, ToLongFunction<T> chatOf) {
        Map<KeySpace, List<T>> by = new LinkedHashMap<>();
        for (T item : items) {
            by.computeIfAbsent(of(chatOf.applyAsLong(item)), k -> new ArrayList<>()).add(item);
        }
        return by;
    }

    /**
     * Work over items of several chats, on the connections that reach their groups
     * ({@link Redis#eachOwner}: one on one Redis, one per primary on a cluster); the action gets
     * the items its connection reaches, by group, and keeps each command to one group's keys.
     *
     * @return each connection's answer
     */
    public <T, R> List<R> eachOwner(Redis redis, Collection<T> items, ToLongFunction<T> chatOf, String what,
                                    BiFunction<Jedis, List<Map.Entry<KeySpace, List<T>>>, R> action) {
        return redis.eachOwner(split(items, chatOf).entrySet(), part -> part.getKey().route(), what, action);
    }

    /** Every group, in order. */
    public List<KeySpace> all() {
        return all;
    }
}
