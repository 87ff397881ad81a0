package chatcache.redis;

import chatcache.chat.Access;
import chatcache.chat.Chat;
import chatcache.chat.ChatReplica;
import chatcache.chat.HeldUnread;
import chatcache.chat.Member;
import chatcache.chat.MemberRole;
import chatcache.chat.ReadMarker;
import chatcache.chat.Unread;
import chatcache.chat.Visibility;
import chatcache.core.BackendUnavailableException;
import chatcache.message.CacheIncompleteException;
import chatcache.query.OrderKey;
import chatcache.rediskit.LuaScript;
import chatcache.rediskit.Pipelines;
import chatcache.rediskit.Redis;
import chatcache.rediskit.ReplicaWait;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Each chat as the hash {@code chats:<id>}: {@code title}, {@code visibility}, {@code owner}
 * (empty for none), {@code createdAt}, {@code version}, and one field {@code m:<userId>} per
 * member holding its role. One HMGET answers "what is this chat to this caller".
 */
public final class RedisChats implements ChatReplica {
    private static final String MEMBER = "m:";
    private static final String MARKER = "r:";

    /** Replaces a chat's hash unless Redis holds a newer version, merging read markers (schema/lua/chat-put.lua). */
    private static final LuaScript PUT = LuaScript.load("chat-put", LuaScript.resource("byte-order"));
    /** Moves a member's read marker forwards and records the move for MySQL (schema/lua/chat-advance-marker.lua). */
    private static final LuaScript ADVANCE = LuaScript.load("chat-advance-marker", LuaScript.resource("byte-order"));

    private static final String WHAT = "answer for chats";
    private final Redis redis;
    private final ChatGroups groups;

    /** The replicas a read marker moved here must reach before the move is acknowledged. */
    private final ReplicaWait replicas;

    public RedisChats(Redis redis, ChatGroups groups, ReplicaWait replicas) {
        this.redis = redis;
        this.groups = groups;
        this.replicas = replicas;
    }

    @Override
    public List<Long> put(Collection<Chat> chats) {
        if (chats.isEmpty()) {
            return List.of();
        }
        return eachGroup(chats, Chat::id, (jedis, inReach) -> Pipelines.run(jedis, queue -> {
            Map<Long, Response<Object>> replies = new LinkedHashMap<>();
            for (Chat chat : inReach) {
                List<String> args = new ArrayList<>();
                args.add(Long.toString(chat.version()));
                fields(chat).forEach((k, v) -> {
                    args.add(k);
                    args.add(v);
                });
                replies.put(chat.id(), queue.script(PUT, chatKeys(chat.id()), args));
            }
            return () -> replies.entrySet().stream().filter(e -> Long.valueOf(2).equals(e.getValue().get()))
                    .map(Map.Entry::getKey).toList();
        })).stream().flatMap(List::stream).toList();
    }

    /**
     * The work for the items (of chats), on each connection that reaches some of their chats'
     * groups (one on one Redis), with those it reaches; the answers of each connection.
     */
    private <T, R> List<R> eachGroup(Collection<T> items, java.util.function.ToLongFunction<T> chatOf,
                                     java.util.function.BiFunction<Jedis, List<T>, R> action) {
        return groups.eachOwner(redis, items, chatOf, WHAT,
                (jedis, parts) -> action.apply(jedis, parts.stream().flatMap(part -> part.getValue().stream()).toList()));
    }

    @Override
    public void remove(Collection<Long> chatIds) {
        if (!chatIds.isEmpty()) {
            eachGroup(chatIds, Long::longValue, (jedis, inReach) -> {
                Pipeline p = jedis.pipelined();
                inReach.forEach(id -> p.del(groups.of(id).chat(id)));
                p.sync();
                return null;
            });
        }
    }

    @Override
    public Optional<Access> access(long chatId, long userId) {
        KeySpace keys = groups.of(chatId);
        return redis.call(keys.route(), WHAT, jedis -> {
            Pipeline p = jedis.pipelined();
            Supplier<Boolean> holds = CacheState.holds(p, keys, chatId);
            Response<List<String>> values = p.hmget(keys.chat(chatId), "visibility", MEMBER + userId, MARKER + userId);
            p.sync();
            if (!holds.get()) {
                throw new CacheIncompleteException(chatId);
            }
            String visibility = values.get().get(0);
            if (visibility == null) {
                return Optional.empty();
            }
            String role = values.get().get(1);
            String marker = values.get().get(2);
            return Optional.of(new Access(chatId, parseVisibility(visibility), role == null ? null : parseRole(role),
                    role == null || marker == null ? null : OrderKey.ofSortKey(marker)));
        });
    }

    @Override
    public boolean advance(ReadMarker marker) {
        return advance(marker, true);
    }

    @Override
    public boolean copyMarker(ReadMarker marker) {
        return advance(marker, false);
    }

    private boolean advance(ReadMarker marker, boolean confirm) {
        KeySpace keys = groups.of(marker.chatId());
        Object moved = redis.call(keys.route(), WHAT, jedis -> {
            Object reply = ADVANCE.eval(jedis, List.of(keys.chat(marker.chatId()), keys.readMarks()),
                    List.of(Long.toString(marker.userId()), marker.upTo().sortKey(), Long.toString(marker.chatId())));
            if (confirm && Long.valueOf(1).equals(reply)) {
                // why: the move is on its way to MySQL only through Redis's stream
                replicas.requireOwn(jedis, "move a read marker on enough replicas");
            }
            return reply;
        });
        return Long.valueOf(1).equals(moved);
    }

    @Override
    public List<HeldUnread> unread(long userId, Collection<Long> only) {
        return redis.eachOwner(groups.all(), KeySpace::route, WHAT, (jedis, inReach) -> {
            Pipeline p = jedis.pipelined();
            List<Response<Boolean>> complete = new ArrayList<>();
            List<Response<Set<String>>> mine = new ArrayList<>();
            for (KeySpace keys : inReach) {
                complete.add(p.exists(keys.complete()));
                mine.add(p.smembers(keys.userChats(userId)));
            }
            p.sync();
            if (!complete.stream().allMatch(Response::get)) {
                throw new CacheIncompleteException(0);
            }
            TreeSet<Long> chats = new TreeSet<>();
            mine.forEach(set -> set.get().forEach(c -> chats.add(Long.parseLong(c))));
            if (!only.isEmpty()) {
                chats.retainAll(only);
            }
            // why not checked here: a chat being loaded is refused by each count's own call (atomically)
            return Pipelines.run(jedis, queue -> {
                Map<Long, Response<Object>> replies = new LinkedHashMap<>();
                chats.forEach(chat -> replies.put(chat, OrderIndex.unread(queue, groups.of(chat), chat, userId)));
                return () -> {
                    List<HeldUnread> out = new ArrayList<>();
                    replies.forEach((chat, reply) -> unreadOf(chat, reply.get()).ifPresent(out::add));
                    return out;
                };
            });
        }).stream().flatMap(List::stream)
                // why sorted here too: on a cluster each primary answers for the chats of its own
                // groups, in order, and GET /me/unread lists them by chat id, as MySQL does
                .sorted(Comparator.comparingLong(h -> h.held().chatId())).toList();
    }

    /**
     * {marker, count, boundary, below-epoch} as the order index answers it (CacheIncompleteException while the
     * chat is being loaded); empty when the user is no member
     * (any more). MySQL counts below the boundary when the marker lies below it, and the whole
     * chat when Redis does not hold its messages ('none').
     */
    @SuppressWarnings("unchecked")
    private static Optional<HeldUnread> unreadOf(long chatId, Object reply) {
        if (reply == null) {
            return Optional.empty();
        }
        List<Object> parts = (List<Object>) reply;
        String marker = Replies.text(parts.get(0));
        String boundary = Replies.text(parts.get(2));
        if (boundary.equals("loading")) {
            throw new CacheIncompleteException(chatId);
        }
        long count = (Long) parts.get(1);
        Optional<OrderKey> at = marker.isEmpty() ? Optional.empty() : Optional.of(OrderKey.ofSortKey(marker));
        Optional<OrderKey> below = boundary.equals("none") ? Optional.of(HeldUnread.ABOVE_ALL)
                : boundary.isEmpty() || (!marker.isEmpty() && marker.compareTo(boundary) >= 0) ? Optional.empty()
                : Optional.of(OrderKey.ofSortKey(boundary));
        long epoch = Long.parseLong(Replies.text(parts.get(3)));
        return Optional.of(new HeldUnread(new Unread(chatId, boundary.equals("none") ? 0 : count, at.map(OrderKey::id).orElse(null)),
                at, below, epoch));
    }

    @Override
    public Optional<Chat> find(long chatId) {
        KeySpace keys = groups.of(chatId);
        return redis.call(keys.route(), WHAT, jedis -> {
            Pipeline p = jedis.pipelined();
            Supplier<Boolean> holds = CacheState.holds(p, keys, chatId);
            Response<Map<String, String>> hash = p.hgetAll(keys.chat(chatId));
            p.sync();
            if (!holds.get()) {
                throw new CacheIncompleteException(chatId);
            }
            return parse(chatId, hash.get());
        });
    }

    @Override
    public Map<Long, Chat> peek(Collection<Long> chatIds) {
        Map<Long, Chat> chats = new HashMap<>();
        eachGroup(chatIds, Long::longValue, (jedis, inReach) -> {
            Pipeline p = jedis.pipelined();
            Map<Long, Response<Map<String, String>>> hashes = new HashMap<>();
            inReach.forEach(id -> hashes.put(id, p.hgetAll(groups.of(id).chat(id))));
            p.sync();
            hashes.forEach((id, hash) -> parse(id, hash.get()).ifPresent(c -> chats.put(id, c)));
            return null;
        });
        return chats;
    }

    @Override
    public List<String> unlisted(Collection<Chat> chats) {
        return eachGroup(chats, Chat::id, (jedis, inReach) -> {
            Pipeline p = jedis.pipelined();
            Map<String, Response<Boolean>> listed = new LinkedHashMap<>();
            for (Chat chat : inReach) {
                for (Member m : chat.members()) {
                    listed.put("user " + m.userId() + " in chat " + chat.id(),
                            p.sismember(groups.of(chat.id()).userChats(m.userId()), Long.toString(chat.id())));
                }
            }
            p.sync();
            List<String> missing = new ArrayList<>();
            listed.forEach((what, in) -> {
                if (!in.get()) {
                    missing.add(what);
                }
            });
            return missing;
        }).stream().flatMap(List::stream).toList();
    }

    @Override
    public Set<Long> ids() {
        Set<Long> ids = new HashSet<>();
        redis.eachOwner(groups.all(), KeySpace::route, WHAT, (jedis, inReach) -> {
            for (KeySpace keys : inReach) {
                ScanParams params = new ScanParams().match(keys.chatPrefix() + "*").count(1000);
                String cursor = ScanParams.SCAN_POINTER_START;
                do {
                    ScanResult<String> page = jedis.scan(cursor, params);
                    page.getResult().forEach(k -> ids.add(keys.chatId(k)));
                    cursor = page.getCursor();
                } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            }
            return null;
        });
        return ids;
    }

    /** The keys chat-put.lua takes: the chat's hash, the prefix of its members' chat sets, its held key. */
    private List<String> chatKeys(long chatId) {
        KeySpace keys = groups.of(chatId);
        return List.of(keys.chat(chatId), keys.userChatsPrefix(), keys.held(chatId));
    }

    private static Map<String, String> fields(Chat chat) {
        Map<String, String> f = new HashMap<>();
        f.put("title", chat.title());
        f.put("visibility", chat.visibility().wire());
        f.put("owner", chat.ownerId() == null ? "" : Long.toString(chat.ownerId()));
        f.put("createdAt", Long.toString(chat.createdAt()));
        f.put("version", Long.toString(chat.version()));
        for (Member m : chat.members()) {
            f.put(MEMBER + m.userId(), m.role().wire());
            if (m.lastRead() != null) {
                f.put(MARKER + m.userId(), m.lastRead().sortKey());
            }
        }
        return f;
    }

    private static Optional<Chat> parse(long chatId, Map<String, String> hash) {
        if (hash == null || !hash.containsKey("visibility")) {
            return Optional.empty();
        }
        List<Member> members = new ArrayList<>();
        hash.forEach((k, v) -> {
            if (k.startsWith(MEMBER)) {
                String marker = hash.get(MARKER + k.substring(MEMBER.length()));
                members.add(new Member(Long.parseLong(k.substring(MEMBER.length())), parseRole(v),
                        marker == null ? null : OrderKey.ofSortKey(marker)));
            }
        });
        String owner = hash.getOrDefault("owner", "");
        return Optional.of(new Chat(chatId, hash.getOrDefault("title", ""), parseVisibility(hash.get("visibility")),
                owner.isEmpty() ? null : Long.parseLong(owner), Long.parseLong(hash.getOrDefault("createdAt", "0")),
                Long.parseLong(hash.getOrDefault("version", "0")), members));
    }

    private static Visibility parseVisibility(String wire) {
        return Visibility.fromWire(wire).orElseThrow(() -> new BackendUnavailableException(
                BackendUnavailableException.Reason.UNREADABLE, "Redis holds an unknown visibility '" + wire + "'", null));
    }

    private static MemberRole parseRole(String wire) {
        return MemberRole.fromWire(wire).orElseThrow(() -> new BackendUnavailableException(
                BackendUnavailableException.Reason.UNREADABLE, "Redis holds an unknown member role '" + wire + "'", null));
    }
}
