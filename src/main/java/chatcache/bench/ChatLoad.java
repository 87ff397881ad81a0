package chatcache.bench;

import java.util.Locale;

/**
 * How the bench chat came to be: {@code inserted} messages loaded now (0 when reused) in
 * {@code wallMillis}, of which {@code mysqlMillis} in batched INSERTs and {@code redisMillis} in
 * {@code putAll}; and how many were copied again from MySQL because Redis lacked them.
 */
public record ChatLoad(long chatId, long messages, long inserted, long wallMillis, long mysqlMillis, long redisMillis,
                       long recachedInRedis, long recacheMillis) {

    public boolean reused() {
        return inserted == 0;
    }

    public String describe() {
        StringBuilder s = new StringBuilder();
        if (reused()) {
            s.append("reused chat ").append(chatId).append(" (").append(messages).append(" messages already in MySQL)");
        } else {
            s.append(String.format(Locale.ROOT, "loaded %,d messages into chat %d in %.1f s (%,.0f messages/s;"
                            + " MySQL batched INSERTs %.1f s, Redis putAll %.1f s)",
                    inserted, chatId, wallMillis / 1000.0, inserted * 1000.0 / Math.max(1, wallMillis),
                    mysqlMillis / 1000.0, redisMillis / 1000.0));
        }
        if (recachedInRedis > 0) {
            s.append(String.format(Locale.ROOT, "; re-cached %,d messages in Redis from MySQL in %.1f s",
                    recachedInRedis, recacheMillis / 1000.0));
        }
        return s.toString();
    }
}
