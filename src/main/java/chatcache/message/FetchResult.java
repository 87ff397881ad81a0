package chatcache.message;

import chatcache.core.Message;
import chatcache.core.EventId;

import java.util.List;
import java.util.Optional;

/**
 * A page as it was when fetched (before its read marks), which store answered, when asked for,
 * both stores' translations of the reads it needed, and where its reader joins the chat's events
 * ({@code eventId}: read with the page's first Redis call, or just before MySQL read it; empty
 * when neither said).
 */
public record FetchResult(List<Message> messages, String source, boolean hasOlder, boolean hasNewer,
                          Optional<Explain> explain, Optional<EventId> eventId) {
    public FetchResult(List<Message> messages, String source, boolean hasOlder, boolean hasNewer) {
        this(messages, source, hasOlder, hasNewer, Optional.empty(), Optional.empty());
    }

    public FetchResult(List<Message> messages, String source, boolean hasOlder, boolean hasNewer, Optional<Explain> explain) {
        this(messages, source, hasOlder, hasNewer, explain, Optional.empty());
    }

    FetchResult withEventId(Optional<EventId> id) {
        return new FetchResult(messages, source, hasOlder, hasNewer, explain, id);
    }
}
