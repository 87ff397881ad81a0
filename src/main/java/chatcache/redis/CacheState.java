package chatcache.redis;

import chatcache.events.ChatEvents;
import chatcache.events.EventRetention;
import chatcache.message.CacheCompleteness;
import chatcache.message.HeldChats;
import chatcache.query.OrderKey;
import chatcache.rediskit.LuaScript;
import chatcache.rediskit.Redis;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import chatcache.rediskit.Pipelines;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.params.ZAddParams;
import redis.clients.jedis.resps.Tuple;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Map;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The completeness of the cache, kept in Redis itself, so that losing Redis's data loses the
 * claim with it: each group's {@link KeySpace#complete} exists only after a full rebuild of an
 * empty or flushed Redis, and {@link KeySpace#rebuilding} lists chats being rebuilt one by one.
 * Its value, the instant of the last full rebuild, also names the events' epoch (RedisEventLog).
 *
 * <p>Per chat: {@link KeySpace#held} exists when Redis holds the chat's messages, and its value
 * is the chat's boundary: the sort key of the oldest message it holds, or "" for the whole chat.
 * Redis holds every message of the chat at or above the boundary, MySQL alone those below.
 * Written only by the scripts that load and trim a chat, with what they change.
 * {@link KeySpace#belowEpoch} is moved by every write of the chat's messages that Redis skips
 * because it lies below the boundary (a post older than the window, an edit there), so that
 * unread counts kept for the part below the window are counted again (see
 * {@code BelowWindowCounts}). {@link KeySpace#chatReads} says when each chat held was last read
 * (a sorted set, by epoch ms): eviction takes the oldest. {@link KeySpace#loading} lists the
 * chats a loader (holding the chat's lock) marked and has not ended; see {@link #markChatsLoading}.
 */
public final class CacheState implements CacheCompleteness, HeldChats {
    private final Redis redis;
    private final ChatGroups groups;
    private final List<String> eventArgs;

    /**
     * @param events how much of a chat's event stream to keep when its rebuild appends a reset
     */
    public CacheState(Redis redis, ChatGroups groups, EventRetention events) {
        this.redis = redis;
        this.groups = groups;
        this.eventArgs = EventAppend.args(events);
    }

    /**
     * Queues on a pipeline the reads that tell whether Redis holds the whole chat; the answer is
     * there after the pipeline's sync. Reads of the order index check the same in their script.
     */
    static Supplier<Boolean> holds(redis.clients.jedis.PipeliningBase p, KeySpace keys, long chatId) {
        Response<Boolean> complete = p.exists(keys.complete());
        Response<Boolean> rebuilding = p.sismember(keys.rebuilding(), Long.toString(chatId));
        return () -> complete.get() && !rebuilding.get();
    }

    @Override
    public boolean holdsAll() {
        return eachGroup("say what it holds", (p, keys) -> p.exists(keys.complete())).stream().allMatch(b -> b);
    }

    /** Groups of chats, each with its claim ({@link KeySpace#complete}). */
    private record Groups(Set<KeySpace> keys, ChatGroups all) implements Part {
        @Override
        public boolean isEmpty() {
            return keys.isEmpty();
        }

        @Override
        public boolean isWhole() {
            return keys.size() == all.count();
        }

        @Override
        public boolean includes(long chatId) {
            return keys.contains(all.of(chatId));
        }
    }

    @Override
    public Part whole() {
        return new Groups(Set.copyOf(groups.all()), groups);
    }

    @Override
    public Part lacking() {
        Set<KeySpace> lacking = new HashSet<>();
        redis.eachOwner(groups.all(), KeySpace::route, "say what it holds", (jedis, inReach) -> {
            Pipeline p = jedis.pipelined();
            List<Response<Boolean>> held = inReach.stream().map(keys -> p.exists(keys.complete())).toList();
            p.sync();
            for (int i = 0; i < inReach.size(); i++) {
                if (!held.get(i).get()) {
                    lacking.add(inReach.get(i));
                }
            }
            return null;
        });
        return new Groups(lacking, groups);
    }

    @Override
    public void markComplete(Part part) {
        Set<KeySpace> claimed = groupsOf(part);
        String now = Instant.now().toString();
        // why XX for the others: a group whose claim went meanwhile (its data lost) stays unclaimed
        eachGroup("mark the cache complete", (p, keys) -> claimed.contains(keys)
                ? p.set(keys.complete(), now) : p.set(keys.complete(), now, SetParams.setParams().xx()));
    }

    @Override
    public void markIncomplete(Part part) {
        redis.eachOwner(groupsOf(part), KeySpace::route, "mark the cache incomplete", (jedis, inReach) -> {
            Pipeline p = jedis.pipelined();
            inReach.forEach(keys -> p.del(keys.complete()));
            p.sync();
            return null;
        });
    }

    private Set<KeySpace> groupsOf(Part part) {
        if (!(part instanceof Groups g)) {
            throw new IllegalArgumentException("not a part of this cache: " + part);
        }
        return g.keys();
    }

    /**
     * why SADD before SET, in one pipeline (Redis runs them in order): a write must never find the
     * chat held while its readers still go to Redis.
     */
    @Override
    public void markChatsRebuilding(Collection<Long> chatIds) {
        mark(chatIds, false);
    }

    @Override
    public void markChatsLoading(Collection<Long> chatIds) {
        mark(chatIds, true);
    }

    private void mark(Collection<Long> chatIds, boolean loading) {
        if (chatIds.isEmpty()) {
            return;
        }
        groups.eachOwner(redis, chatIds, Long::longValue, "mark chats rebuilding", (jedis, parts) -> {
            Pipeline p = jedis.pipelined();
            for (Map.Entry<KeySpace, List<Long>> part : parts) {
                KeySpace keys = part.getKey();
                String[] members = part.getValue().stream().map(String::valueOf).toArray(String[]::new);
                p.sadd(keys.rebuilding(), members);
                if (loading) {
                    p.sadd(keys.loading(), members);
                }
            }
            // why a load sets the boundary to "" even where one was held: writes during the load
            // must reach every message it may copy (an edit of a message below the old boundary
            // would otherwise be skipped after the load copied it); its end takes the oldest
            // message loaded, or the place a trim meanwhile moved the boundary to, whichever is
            // higher. That also lowers the boundary of a chat loaded again under a larger window.
            for (Map.Entry<KeySpace, List<Long>> part : parts) {
                part.getValue().forEach(id -> p.set(part.getKey().held(id), "", loading ? SetParams.setParams() : SetParams.setParams().nx()));
            }
            p.sync();
            return null;
        });
    }

    @Override
    public java.util.Set<Long> loading() {
        return eachGroup("list the chats being loaded", (p, keys) -> p.smembers(keys.loading())).stream()
                .flatMap(java.util.Set::stream).map(Long::parseLong)
                .collect(java.util.stream.Collectors.toSet());
    }

    /**
     * Also appends a reset to the chat's event stream, in the same step: what was written while
     * the chat was rebuilt appended no events, so a subscriber must reload it. Only if the chat
     * was marked (a mark that is not there changed nothing a subscriber could have missed).
     */
    @Override
    public void markChatsComplete(Map<Long, Optional<OrderKey>> oldestLoaded) {
        if (oldestLoaded.isEmpty()) {
            return;
        }
        groups.eachOwner(redis, oldestLoaded.keySet(), Long::longValue, "end the rebuild of chats", (jedis, parts) -> Pipelines.run(jedis, queue -> {
            parts.stream().flatMap(part -> part.getValue().stream()).forEach(chatId -> {
                Optional<OrderKey> oldest = oldestLoaded.get(chatId);
                KeySpace space = groups.of(chatId);
                List<String> keys = new ArrayList<>(List.of(space.events(chatId)));
                keys.addAll(EventAppend.guardKeys(space));
                keys.add(space.held(chatId));
                keys.add(space.chatReads());
                keys.add(space.loading());
                keys.add(space.followed());
                List<String> args = new ArrayList<>(eventArgs);
                args.add(Long.toString(chatId));
                args.add(ChatEvents.CHAT_REBUILT);
                args.add(oldest.map(OrderKey::sortKey).orElse(""));
                args.add(Long.toString(System.currentTimeMillis()));
                queue.script(COMPLETE_CHAT, keys, args);
            });
            return () -> null;
        }));
    }

    @Override
    public Memory memory() {
        // why the sums on a cluster: the budget is the cluster's; a node fuller than the others
        // (one large chat's group) is a reshard's business, not eviction's
        return redis.onEveryPrimary("read its memory", jedis -> {
            long used = 0;
            long max = 0;
            for (String line : jedis.info("memory").split("\r?\n")) {
                if (line.startsWith("used_memory:")) {
                    used = Long.parseLong(line.substring("used_memory:".length()).trim());
                } else if (line.startsWith("maxmemory:")) {
                    max = Long.parseLong(line.substring("maxmemory:".length()).trim());
                }
            }
            return new Memory(used, max);
        }).stream().reduce((a, b) -> new Memory(a.usedBytes() + b.usedBytes(), a.maxBytes() + b.maxBytes())).orElseThrow();
    }

    @Override
    public long count() {
        return eachGroup("count the chats it holds", (p, keys) -> p.zcard(keys.chatReads())).stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public List<Long> leastRecentlyRead(int n) {
        // each group's n least recently read, then the n least of those
        return eachGroup("list the chats it holds", (p, keys) -> p.zrangeWithScores(keys.chatReads(), 0, n - 1L)).stream()
                .flatMap(List::stream)
                .sorted(java.util.Comparator.comparingDouble(Tuple::getScore)).limit(n)
                .map(t -> Long.parseLong(t.getElement())).toList();
    }

    /** why XX GT: a chat not held (dropped meanwhile) is not added back, and a later read is never undone. */
    @Override
    public void read(Map<Long, Long> lastReadByChat) {
        if (lastReadByChat.isEmpty()) {
            return;
        }
        groups.eachOwner(redis, lastReadByChat.keySet(), Long::longValue, "record reads of chats", (jedis, parts) -> {
            Pipeline p = jedis.pipelined();
            for (Map.Entry<KeySpace, List<Long>> part : parts) {
                part.getValue().forEach(chat -> p.zadd(part.getKey().chatReads(), lastReadByChat.get(chat), Long.toString(chat),
                        ZAddParams.zAddParams().xx().gt()));
            }
            p.sync();
            return null;
        });
    }

    @Override
    public Map<Long, Long> largest(int n) {
        Map<Long, Long> counts = new java.util.HashMap<>();
        redis.eachOwner(groups.all(), KeySpace::route, "count the messages of the chats it holds", (jedis, all) -> {
            for (KeySpace keys : all) {
                for (String c : jedis.zrange(keys.chatReads(), 0, -1)) {
                    long chat = Long.parseLong(c);
                    counts.put(chat, OrderIndex.countAbove(jedis, keys.order(chat), ""));
                }
            }
            return null;
        });
        Map<Long, Long> top = new java.util.LinkedHashMap<>();
        counts.entrySet().stream().sorted(Map.Entry.<Long, Long>comparingByValue().reversed()).limit(n)
                .forEach(e -> top.put(e.getKey(), e.getValue()));
        return top;
    }

    @Override
    public long messagesHeld(long chatId) {
        KeySpace keys = groups.of(chatId);
        return redis.call(keys.route(), "count a chat's messages", jedis -> jedis.exists(keys.held(chatId))
                ? OrderIndex.countAbove(jedis, keys.order(chatId), "") : 0L);
    }

    /**
     * One read or write for each group, pipelined on each connection {@link Redis#eachOwner}
     * takes (one on one Redis), and the answers in the order of {@link ChatGroups#all}.
     */
    private <T> List<T> eachGroup(String what, java.util.function.BiFunction<Pipeline, KeySpace, Response<T>> command) {
        return redis.eachOwner(groups.all(), KeySpace::route, what, (jedis, all) -> {
            Pipeline p = jedis.pipelined();
            List<Response<T>> answers = all.stream().map(keys -> command.apply(p, keys)).toList();
            p.sync();
            return answers.stream().map(Response::get).toList();
        }).stream().flatMap(List::stream).toList();
    }

    /** Sets the boundary, removes the chat from the rebuilding set and appends its reset (schema/lua/cache-complete-chat.lua). */
    private static final LuaScript COMPLETE_CHAT = EventAppend.script("cache-complete-chat", LuaScript.resource("byte-order"));
}
