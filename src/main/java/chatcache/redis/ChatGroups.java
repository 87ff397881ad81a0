package chatcache.redis;

import java.util.List;
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

    /** The one group of a standalone Redis. */
    public static ChatGroups standalone() {
        return new ChatGroups(List.of(KeySpace.STANDALONE));
    }

    /** {@code count} groups named {@code {g0}} ... for a Redis Cluster. */
    public static ChatGroups tagged(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("at least one group: " + count);
        }
        return new ChatGroups(IntStream.range(0, count).mapToObj(KeySpace::group).toList());
    }

    /** The group of a chat. */
    public KeySpace of(long chatId) {
        return all.get((int) Math.floorMod(chatId, (long) all.size()));
    }

    /** Every group, in order. */
    public List<KeySpace> all() {
        return all;
    }

    /**
     * The group of code that knows messages only by their ids, which works on one group only.
     * why not a guess: a message's group is its chat's, and a wrong group finds nothing, which
     * would read as "not cached"; such code must be given the chat before there are groups
     * (docs/design-cluster.md, step 2).
     */
    public KeySpace only() {
        if (all.size() != 1) {
            throw new IllegalStateException("this step needs the chat of its messages on " + all.size() + " groups");
        }
        return all.get(0);
    }
}
