package chatcache.redis;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.PipeliningBase;
import redis.clients.jedis.Response;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The chat's boundary as read right after a filtered walk's latest search, in that search's round
 * trip. A page Redis leaves short is continued by MySQL from the boundary as it is after Redis's
 * part was read (a trim meanwhile may have hidden messages from a search); reading it on its own
 * cost a round trip more (issue #24). Every search of a walk reads it, since which one is the last
 * is known only after it: three reads of a key, beside a search.
 */
final class BoundaryAfter {
    private final KeySpace keys;
    private final long chatId;
    private String read;

    BoundaryAfter(KeySpace keys, long chatId) {
        this.keys = keys;
        this.chatId = chatId;
    }

    /**
     * FT.SEARCH with these arguments, then the boundary, in one round trip: the reply (an error
     * reply throws, as a search sent alone does). Throws CacheIncompleteException (or
     * ChatNotHeldException) when Redis no longer holds the chat.
     */
    List<?> search(Jedis jedis, List<String> args) {
        Pipeline p = jedis.pipelined();
        Response<Object> reply = p.sendCommand(SearchCommand.SEARCH, args.toArray(String[]::new));
        Supplier<String> boundary = MessageSlices.heldBoundary(p, keys, chatId);
        p.sync();
        List<?> searched = (List<?>) reply.get();
        read = boundary.get();
        return searched;
    }

    /** Queues the boundary's reads beside a search (in a transaction); hand their answer to {@link #took}. */
    Supplier<String> queue(PipeliningBase p) {
        return MessageSlices.heldBoundary(p, keys, chatId);
    }

    /** The boundary as read beside the latest search. */
    void took(String boundary) {
        read = boundary;
    }

    /** The boundary after the latest search ("": the whole chat held), empty when no search ran. */
    Optional<String> latest() {
        return Optional.ofNullable(read);
    }
}
