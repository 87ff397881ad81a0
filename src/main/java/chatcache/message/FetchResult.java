package chatcache.message;

import chatcache.core.Message;

import java.util.List;
import java.util.Optional;

/**
 * A page as it was when fetched (before its read marks), which store answered, and, when asked
 * for, both stores' translations of the reads it needed.
 */
public record FetchResult(List<Message> messages, String source, boolean hasOlder, boolean hasNewer,
                          Optional<Explain> explain) {
    public FetchResult(List<Message> messages, String source, boolean hasOlder, boolean hasNewer) {
        this(messages, source, hasOlder, hasNewer, Optional.empty());
    }
}
