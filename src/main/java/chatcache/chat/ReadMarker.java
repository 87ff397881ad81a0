package chatcache.chat;

import chatcache.query.OrderKey;

/** A member's read marker moved to {@code upTo} (it never moves back). */
public record ReadMarker(long chatId, long userId, OrderKey upTo) {
}
