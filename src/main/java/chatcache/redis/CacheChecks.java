package chatcache.redis;

import chatcache.core.Message;
import chatcache.query.MessageField;
import chatcache.query.OrderKey;
import chatcache.query.Words;
import chatcache.rediskit.Redis;
import chatcache.rediskit.Transactions;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * What {@code cache verify} and the rebuild ask of Redis about the messages it holds: what the
 * order indexes and the search index list per chat, which hashes hold other words, and the
 * removal of entries MySQL no longer has. For checks and rebuilds, not for request paths.
 */
final class CacheChecks {
    /** Order-index entries removed per transaction (Redis runs one EXEC without pause). */
    private static final int REMOVAL_BATCH = 1_000;

    private final Redis redis;
    private final ChatGroups groups;
    private final IndexSearch search;
    private final SearchIndex index;
    private final OrderIndex order;

    CacheChecks(Redis redis, ChatGroups groups, IndexSearch search, SearchIndex index, OrderIndex order) {
        this.redis = redis;
        this.groups = groups;
        this.search = search;
        this.index = index;
        this.order = order;
    }

    /** The chat's boundary ("" for the whole chat), or null when Redis does not hold it. */
    String boundary(long chatId) {
        return redis.call(route(chatId), "read a window", jedis -> jedis.get(groups.of(chatId).held(chatId)));
    }

    Map<Long, Message> getAll(long chatId, Collection<Long> ids) {
        return redis.call(route(chatId), "read messages", jedis -> MessageHash.readAll(jedis, groups.of(chatId), ids));
    }

    /** Those of the messages whose cached hash holds other words than their text has now. */
    Set<Long> withOtherWords(List<Message> messages) {
        Set<Long> other = new HashSet<>();
        groups.eachOwner(redis, messages, Message::chatId, "read words", (jedis, parts) -> {
            List<Message> inReach = parts.stream().flatMap(part -> part.getValue().stream()).toList();
            Pipeline p = jedis.pipelined();
            List<Response<String>> words = inReach.stream().map(m -> p.hget(groups.of(m.chatId()).message(m.id()), MessageHash.WORDS)).toList();
            p.sync();
            for (int i = 0; i < inReach.size(); i++) {
                String cached = words.get(i).get();
                Message m = inReach.get(i);
                if (cached != null && !cached.equals(String.join(",", Words.of(m.text())))) {
                    other.add(m.id());
                }
            }
            return null;
        });
        return other;
    }

    Set<Long> orderedIds(long chatId) {
        return redis.call(route(chatId), "read an order index", jedis -> idsOf(jedis, groups.of(chatId).order(chatId)));
    }

    Map<Long, Set<Long>> orderedIdsByAuthor(long chatId) {
        return redis.call(route(chatId), "read an order index", jedis -> {
            Map<Long, Set<Long>> out = new HashMap<>();
            for (String list : OrderIndex.authorLists(jedis, groups.of(chatId), chatId)) {
                out.put(OrderIndex.authorOf(list), idsOf(jedis, list));
            }
            return out;
        });
    }

    private static Set<Long> idsOf(Jedis jedis, String list) {
        Set<Long> ids = new HashSet<>();
        OrderIndex.all(jedis, list).forEach(k -> ids.add(OrderKey.ofSortKey(k).id()));
        return ids;
    }

    /**
     * Removes the chat's order-index entries of messages not in {@code keep} (unless
     * {@code stillWanted} says otherwise now), then their hashes and index entries.
     */
    long removeStale(long chatId, Set<Long> keep, Function<Set<Long>, Set<Long>> stillWanted) {
        String what = "remove stale entries of chat " + chatId;
        KeySpace keys = groups.of(chatId);
        return redis.call(keys.route(), what, jedis -> {
            List<String> lists = new ArrayList<>(List.of(keys.order(chatId)));
            lists.addAll(OrderIndex.authorLists(jedis, keys, chatId));
            // each list's entries that are not kept, by the id they name
            Map<String, Map<Long, String>> candidates = new HashMap<>();
            Set<Long> staleIds = new HashSet<>();
            for (String list : lists) {
                Map<Long, String> byId = new HashMap<>();
                for (String sortKey : OrderIndex.all(jedis, list)) {
                    long id = OrderKey.ofSortKey(sortKey).id();
                    if (!keep.contains(id)) {
                        byId.put(id, sortKey);
                    }
                }
                candidates.put(list, byId);
                staleIds.addAll(byId.keySet());
            }
            if (staleIds.isEmpty()) {
                return 0L;
            }
            staleIds.removeAll(stillWanted.apply(Set.copyOf(staleIds)));
            long removed = 0;
            for (Map.Entry<String, Map<Long, String>> entry : candidates.entrySet()) {
                List<String> stale = entry.getValue().entrySet().stream()
                        .filter(e -> staleIds.contains(e.getKey())).map(Map.Entry::getValue).toList();
                for (int from = 0; from < stale.size(); from += REMOVAL_BATCH) {
                    String[] batch = stale.subList(from, Math.min(stale.size(), from + REMOVAL_BATCH)).toArray(String[]::new);
                    Transactions.run(jedis, what, j -> tx -> order.remove(tx, entry.getKey(), batch));
                }
                removed += stale.size();
            }
            Map<Long, Message> cached = MessageHash.readAll(jedis, keys, staleIds);
            Transactions.run(jedis, what, j -> tx -> {
                for (long id : staleIds) {
                    Message m = cached.get(id);
                    if (m == null || m.chatId() == chatId) {
                        if (index.indexesExplicitly()) {
                            // why allowed to fail: FT.DEL of a hash the index never held answers an error
                            tx.sendAllowingError(SearchCommand.DEL, keys.index(), keys.message(id));
                        }
                        tx.del(keys.message(id));
                    }
                }
            });
            return removed;
        });
    }

    /** Read messages of the chat the index lists as read; -1 where it does not hold read state (1.x). */
    long indexedReadCount(long chatId) {
        if (!search.readIndexed()) {
            return -1;
        }
        return count(chatId, new RediSearchQuery().tagEquals(MessageField.CHAT_ID, chatId).tagEquals(MessageField.READ, 1).render());
    }

    long indexedCount(long chatId) {
        return count(chatId, new RediSearchQuery().tagEquals(MessageField.CHAT_ID, chatId).render());
    }

    private long count(long chatId, String query) {
        KeySpace keys = groups.of(chatId);
        return redis.call(route(chatId), "count indexed messages", jedis -> search.count(jedis, keys, chatId, query));
    }

    private String route(long chatId) {
        return groups.of(chatId).route();
    }
}
