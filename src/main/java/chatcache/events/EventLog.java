package chatcache.events;

import chatcache.core.EventId;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The chats' event streams as the delivery reads them. why an interface: the streams live in
 * Redis ({@code redis/RedisEventLog}), and delivery (EventHub, the web layer) stays above the
 * Redis adapter, never importing it. Every method throws
 * {@link chatcache.core.BackendUnavailableException} when the streams cannot be read.
 */
public interface EventLog {
    /** The cache's epoch; empty while Redis does not hold the whole cache (flushed, being rebuilt). */
    Optional<String> epoch();

    /** Where a client that reads a page now joins the chat's events; empty while the cache is not whole. */
    Optional<EventId> position(long chatId);

    /** The id of the chat's newest event in this epoch ({@link EventId#start} when it has none yet). */
    EventId tail(String epoch, long chatId);

    /**
     * Records that clients of this instance follow these chats, for {@code forMillis} from now
     * (Redis's clock): a reset of a chat nobody follows keeps only its id (chatcache:followed, see {@link ChatEvents}).
     */
    void follow(java.util.Collection<Long> chatIds, long forMillis);

    /** Whether every event after {@code from} is still kept, so a client there can go on without a gap. */
    boolean continuesFrom(EventId from, long chatId);

    /** Up to {@code count} events of a chat after {@code from}, oldest first. */
    List<ChatEvent> after(EventId from, long chatId, int count);

    /**
     * Waits up to {@code blockMillis} for events after these positions (chat id to the last event
     * seen) and returns them by chat, oldest first, at most {@code count} per chat, with the epoch
     * they belong to (none are returned when it changed during the wait).
     */
    Batch read(Map<Long, EventId> positions, int count, long blockMillis);

    /** What one read found: the epoch then, and the new events by chat. */
    record Batch(Optional<String> epoch, Map<Long, List<ChatEvent>> events) {
    }
}
