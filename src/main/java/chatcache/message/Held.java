package chatcache.message;

import chatcache.query.OrderKey;

import java.util.Optional;

/**
 * What Redis answered of a read, with the chat's boundary read in the same step: the place of the
 * oldest message Redis holds of the chat, empty when it holds the whole chat. Redis holds every
 * message of the chat at or above the boundary; those below it are MySQL's alone.
 */
public record Held<T>(T value, Optional<OrderKey> boundary) {
}
