package chatcache.message;

import chatcache.core.EventId;
import chatcache.query.OrderKey;

import java.util.Optional;

/**
 * What Redis answered of a read, with the chat's boundary read in the same step: the place of the
 * oldest message Redis holds of the chat, empty when it holds the whole chat. Redis holds every
 * message of the chat at or above the boundary; those below it are MySQL's alone. {@code
 * position}: where a reader of this answer joins the chat's events, read in the same step (empty
 * when the read did not say). {@code exact}: the boundary holds for the value as it was read (a
 * trim since cannot have hidden from it a message at or above the boundary), so that MySQL may
 * continue from it without the boundary being read again.
 */
public record Held<T>(T value, Optional<OrderKey> boundary, Optional<EventId> position, boolean exact) {
    public Held(T value, Optional<OrderKey> boundary) {
        this(value, boundary, Optional.empty(), false);
    }
}
