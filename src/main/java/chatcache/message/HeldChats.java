package chatcache.message;

import java.util.List;
import java.util.Map;

/** Which chats Redis holds, when each was last read, and Redis's memory: what a budget is kept by. */
public interface HeldChats {
    /** Redis's memory now: bytes used, and its {@code maxmemory} (0: none set). */
    Memory memory();

    record Memory(long usedBytes, long maxBytes) {
    }

    /** How many chats Redis holds. */
    long count();

    /** Up to {@code n} held chats, least recently read first. */
    List<Long> leastRecentlyRead(int n);

    /** Moves these held chats' last reads forwards (epoch ms, by chat); chats not held are left out. */
    void read(Map<Long, Long> lastReadByChat);

    /** The {@code n} held chats with the most messages in Redis, most first: messages held, by chat. */
    Map<Long, Long> largest(int n);

    /** The chats a loader marked as being loaded and has not ended (see {@link CacheCompleteness#markChatsLoading}). */
    java.util.Set<Long> loading();

    /** How many messages of the chat Redis holds (0 when it does not hold it). */
    long messagesHeld(long chatId);
}
