package chatcache.support;

import chatcache.ChatCache;
import chatcache.core.Message;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What Redis holds of messages that MySQL holds, for tests that check both stores: Redis keeps a
 * message among its chat's keys, so each is looked up with the chat MySQL names.
 */
public final class RedisCopies {
    private RedisCopies() {
    }

    /** The Redis copies of these messages, by id (those MySQL does not have are not looked for). */
    public static Map<Long, Message> of(ChatCache cache, Collection<Long> ids) {
        Map<Long, List<Long>> byChat = new TreeMap<>();
        cache.mysqlMessages().load(ids).forEach(m -> byChat.computeIfAbsent(m.chatId(), c -> new ArrayList<>()).add(m.id()));
        Map<Long, Message> found = new HashMap<>();
        byChat.forEach((chat, inChat) -> found.putAll(cache.redisMessages().getAll(chat, inChat)));
        return found;
    }
}
