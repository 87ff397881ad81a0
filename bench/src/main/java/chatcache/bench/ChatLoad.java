package chatcache.bench;

import java.util.Locale;

/**
 * How the bench chat came to be: {@code inserted} messages loaded now (0 when reused) in
 * {@code wallMillis}, of which {@code mysqlMillis} in batched INSERTs and {@code redisMillis} in
 * {@code putAll}; whether Redis's copy of the chat had to be rebuilt from MySQL (it differed), and
 * whether the whole cache had to be (Redis claimed no complete copy, as after a flush).
 */
public record ChatLoad(long chatId, long messages, long inserted, long wallMillis, long mysqlMillis, long redisMillis,
                       long redisBytesDelta,
                       long chatRebuilt, long chatRebuildMillis, long cacheRebuilt, long cacheRebuildMillis) {

    public boolean reused() {
        return inserted == 0;
    }

    public String describe() {
        StringBuilder s = new StringBuilder();
        if (reused()) {
            s.append(String.format(Locale.ROOT, "reused chat %d (%,d messages already in MySQL)", chatId, messages));
        } else {
            s.append(String.format(Locale.ROOT, "loaded %,d messages into chat %d in %.1f s (%,.0f messages/s;"
                            + " MySQL batched INSERTs %.1f s, Redis putAll %.1f s)",
                    inserted, chatId, wallMillis / 1000.0, inserted * 1000.0 / Math.max(1, wallMillis),
                    mysqlMillis / 1000.0, redisMillis / 1000.0));
            s.append(String.format(Locale.ROOT, "; Redis used_memory grew by %,d bytes (%.0f bytes/message)",
                    redisBytesDelta, (double) redisBytesDelta / inserted));
        }
        if (chatRebuilt > 0) {
            s.append(String.format(Locale.ROOT, "; Redis's copy of the chat differed, rebuilt (%,d messages) in %.1f s",
                    chatRebuilt, chatRebuildMillis / 1000.0));
        }
        if (cacheRebuilt > 0 || cacheRebuildMillis > 0) {
            s.append(String.format(Locale.ROOT, "; Redis claimed no complete copy, whole cache rebuilt (%,d messages)"
                    + " in %.1f s", cacheRebuilt, cacheRebuildMillis / 1000.0));
        }
        return s.toString();
    }
}
