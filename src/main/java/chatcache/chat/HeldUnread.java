package chatcache.chat;

import chatcache.query.OrderKey;

import java.util.Optional;

/**
 * A member's unread count as Redis holds it, and what MySQL must add: when the member's marker
 * lies below the window Redis holds of the chat (or Redis holds none of its messages), the
 * messages by others above the marker and below {@code mysqlBelow} are MySQL's to count.
 * {@code belowEpoch}: the chat's below-epoch, read with the rest (a write Redis skipped below the
 * boundary moved it: a count kept for that part is void).
 */
public record HeldUnread(Unread held, Optional<OrderKey> marker, Optional<OrderKey> mysqlBelow, long belowEpoch) {
    /** A place above every message: a chat whose messages Redis does not hold is counted by MySQL whole. */
    public static final OrderKey ABOVE_ALL = new OrderKey(Long.MAX_VALUE, Long.MAX_VALUE);
}
