package chatcache.message;

import java.util.List;

/** A page as it was when fetched (before its read marks), and which store answered. */
public record FetchResult(List<Message> messages, String source, boolean hasOlder, boolean hasNewer) {
}
