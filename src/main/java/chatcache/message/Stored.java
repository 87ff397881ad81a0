package chatcache.message;

import chatcache.core.Message;

/** A message just committed to MySQL, and the outbox entry that stands for its Redis copy. */
public record Stored(Message message, long outboxId) {
}
