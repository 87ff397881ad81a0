package chatcache.message;

import java.util.List;

/** Messages as they were when fetched, and which store answered. */
public record FetchResult(List<Message> messages, String source) {
}
