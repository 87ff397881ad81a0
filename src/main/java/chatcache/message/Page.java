package chatcache.message;

import chatcache.core.Message;

import java.util.List;

/**
 * Messages newest first, and whether more messages matching the same filters exist beyond each
 * end: exact answers, so a client can walk a chat with no gap and no duplicate.
 */
public record Page(List<Message> messages, boolean hasOlder, boolean hasNewer) {
}
