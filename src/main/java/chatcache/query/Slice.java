package chatcache.query;

import java.util.Optional;

/**
 * What a backend is asked for: up to {@code count} messages of a chat (optionally of one author)
 * next to a place in the order, walking towards older or newer messages. Older slices come newest
 * first; newer slices come oldest first (nearest to {@code from} first, in both cases).
 */
public record Slice(long chatId, Optional<Long> authorId, Direction direction, Optional<OrderKey> from, int count) {

    public enum Direction { OLDER, NEWER }

    public Slice {
        if (direction == Direction.NEWER && from.isEmpty()) {
            throw new IllegalArgumentException("a newer slice starts at a message");
        }
        if (count < 1) {
            throw new IllegalArgumentException("count must be positive");
        }
    }
}
