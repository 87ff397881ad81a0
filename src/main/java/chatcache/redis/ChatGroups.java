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
        return count == 1 ? standalone() : new ChatGroups(IntStream.range(0, count).mapToObj(KeySpace::group).toList());
    }

    /** How many groups there are. */
    public int count() {
        return all.size();
    }

    /** The group of a chat. */
    public KeySpace of(long chatId) {
        return all.get((int) Math.floorMod(chatId, (long) all.size()));
    }

    /** Every group, in order. */
    public List<KeySpace> all() {
        return all;
    }
}
