package chatcache.message;

import chatcache.core.Message;
import chatcache.query.Slice;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The store of every reader but API clients: the window Redis holds of each chat, continued by
 * MySQL where a page reaches below it. Each page is read through its own {@link JoinedPage},
 * which remembers which store answered what ({@code source}, read marks, explain).
 */
public final class RedisRoute implements MessageBackend {
    private final HeldMessages redis;
    private final MessageBackend mysql;

    public RedisRoute(HeldMessages redis, MessageBackend mysql) {
        this.redis = redis;
        this.mysql = mysql;
    }

    @Override
    public String name() {
        return redis.name();
    }

    @Override
    public MessageBackend forOnePage() {
        return new JoinedPage(redis, mysql);
    }

    @Override
    public Optional<Message> find(long chatId, long messageId) {
        return forOnePage().find(chatId, messageId);
    }

    @Override
    public List<Message> slice(Slice slice) {
        return forOnePage().slice(slice);
    }

    /**
     * Marks in both stores: without the page they came from, a message below a window is not
     * told from one in it (a page marks each in its own store: {@link JoinedPage#markRead}).
     */
    @Override
    public List<Long> markRead(long chatId, Collection<Long> ids) {
        redis.markRead(chatId, ids);
        return mysql.markRead(chatId, ids);
    }
}
