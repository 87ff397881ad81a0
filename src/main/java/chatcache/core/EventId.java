package chatcache.core;

/**
 * Where a client is in a chat's events: the cache's epoch and the Redis stream entry id, written
 * {@code <epoch>.<ms>-<seq>} (the SSE {@code id:}, {@code Last-Event-ID}, the page's
 * {@code eventId}). why the epoch: a stream lost with Redis's data starts again with ids that may
 * be above the client's, so the id alone would hide the gap; the epoch changes with every full
 * rebuild (see {@code chatcache.events.ChatEvents#epochToken}).
 */
public record EventId(String epoch, long millis, long seq) implements Comparable<EventId> {
    /** Before every entry of a stream: a chat with no events yet. */
    public static EventId start(String epoch) {
        return new EventId(epoch, 0, 0);
    }

    /** This epoch and a stream entry id ({@code 1795693251583-0}). */
    public static EventId of(String epoch, String streamId) {
        int dash = streamId.indexOf('-');
        return new EventId(epoch, Long.parseLong(streamId.substring(0, dash)), Long.parseLong(streamId.substring(dash + 1)));
    }

    /** Reads a client's id; empty when it is not one of ours (the client then starts afresh). */
    public static java.util.Optional<EventId> parse(String text) {
        if (text == null || text.length() > 64) {
            return java.util.Optional.empty();
        }
        int dot = text.indexOf('.');
        int dash = text.indexOf('-', dot + 1);
        if (dot < 1 || dash < dot + 2 || dash == text.length() - 1) {
            return java.util.Optional.empty();
        }
        String epoch = text.substring(0, dot);
        if (!epoch.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))) {
            return java.util.Optional.empty();
        }
        try {
            long millis = Long.parseLong(text.substring(dot + 1, dash));
            long seq = Long.parseLong(text.substring(dash + 1));
            if (millis < 0 || seq < 0) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(new EventId(epoch, millis, seq));
        } catch (NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }

    /** The stream entry id, as Redis writes it. */
    public String streamId() {
        return millis + "-" + seq;
    }

    @Override
    public int compareTo(EventId o) {
        int c = Long.compare(millis, o.millis);
        return c != 0 ? c : Long.compare(seq, o.seq);
    }

    @Override
    public String toString() {
        return epoch + "." + streamId();
    }
}
