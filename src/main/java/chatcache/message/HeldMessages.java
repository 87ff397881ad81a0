package chatcache.message;

import chatcache.core.Message;
import chatcache.query.OrderKey;
import chatcache.query.Slice;

import java.util.List;
import java.util.Optional;

/**
 * The cache as the Redis route reads it: each read says, with its answer, where the window Redis
 * holds of the chat ends ({@link Held}); {@link RedisRoute} asks MySQL for what lies below. Each
 * read throws {@link CacheIncompleteException} when Redis does not hold the chat.
 */
public interface HeldMessages extends MessageBackend {
    /**
     * The slice among the messages Redis holds, nearest first; with {@code position}, also where a
     * reader joins the chat's events, read in the same step ({@link Held#position}).
     */
    Held<List<Message>> sliceHeld(Slice slice, boolean position);

    /** The message, if Redis holds it in this chat; {@code position} as for {@link #sliceHeld}. */
    Held<Optional<Message>> findHeld(long chatId, long messageId, boolean position);

    /** The chat's boundary now (empty: Redis holds the whole chat). */
    Optional<OrderKey> boundary(long chatId);
}
