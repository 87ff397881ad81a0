package chatcache.message;

import chatcache.core.EventId;
import chatcache.query.OrderKey;

import java.util.Optional;

/**
 * What Redis answered of a read, with the chat's boundary read in the same step: the place of the
 * oldest message Redis holds of the chat, empty when it holds the whole chat. Redis holds every
 * message of the chat at or above the boundary; those below it are MySQL's alone. {@code
 * position}: where a reader of this answer joins the chat's events, read in the same step (empty
 * when the read did not say).
 */
public record Held<T>(T value, Optional<OrderKey> boundary, Optional<EventId> position) {
    public Held(T value, Optional<OrderKey> boundary) {
        this(value, boundary, Optional.empty());
    }
}
