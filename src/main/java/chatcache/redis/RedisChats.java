package chatcache.redis;

import chatcache.chat.Access;
import chatcache.chat.Chat;
import chatcache.chat.ChatReplica;
import chatcache.chat.Member;
import chatcache.chat.MemberRole;
import chatcache.chat.ReadMarker;
import chatcache.chat.Unread;
import chatcache.chat.Visibility;
import chatcache.core.BackendUnavailableException;
import chatcache.message.CacheIncompleteException;
import chatcache.query.OrderKey;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.exceptions.JedisException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Each chat as the hash {@code chats:<id>}: {@code title}, {@code visibility}, {@code owner}
 * (empty for none), {@code createdAt}, {@code version}, and one field {@code m:<userId>} per
 * member holding its role. One HMGET answers "what is this chat to this caller".
 */
public final class RedisChats implements ChatReplica {
    static final String KEY_PREFIX = "chats:";
    private static final String MEMBER = "m:";
    private static final String MARKER = "r:";

    /**
     * {@code above(a, b)}: a > b byte by byte, as Redis orders members by lex. why not Lua's '>':
     * it compares with strcoll, and Redis sets LC_COLLATE from its environment.
     */
    private static final String ABOVE = """
            local function above(a, b)
              for i = 1, math.min(#a, #b) do
                local x, y = string.byte(a, i), string.byte(b, i)
                if x ~= y then return x > y end
              end
              return #a > #b
            end
            """;

    /**
     * Replaces the hash unless Redis holds a newer version (ARGV[1]; the same version is written
     * again, which mends a damaged copy); ARGV[2..] are field, value pairs.
     * Read markers ({@code r:<userId>}) are merged, not replaced: each keeps the later of the copy's
     * and Redis's (a marker moved in Redis reaches MySQL later, through the read-mark stream), and
     * only for members. KEYS[2] is the prefix of the members' chat sets ({@code user-chats:<userId>}),
     * kept in step: the chat is added to each member's set and removed from each former member's.
     */
    private static final String PUT = ABOVE + """
            local cur = redis.call('HGET', KEYS[1], 'version')
            if cur and tonumber(cur) > tonumber(ARGV[1]) then return 0 end
            local old = redis.call('HGETALL', KEYS[1])
            local chat = string.sub(KEYS[1], string.len('chats:') + 1)
            local marks, former = {}, {}
            for i = 1, #old, 2 do
              local p = string.sub(old[i], 1, 2)
              if p == 'r:' then marks[string.sub(old[i], 3)] = old[i + 1] end
              if p == 'm:' then former[string.sub(old[i], 3)] = true end
            end
            redis.call('DEL', KEYS[1])
            local members, given = {}, {}
            for i = 2, #ARGV, 2 do
              local f, v = ARGV[i], ARGV[i + 1]
              local p = string.sub(f, 1, 2)
              if p == 'm:' then members[string.sub(f, 3)] = true end
              if p == 'r:' then
                given[string.sub(f, 3)] = v
              else
                redis.call('HSET', KEYS[1], f, v)
              end
            end
            for u, _ in pairs(members) do
              local v = given[u]
              if marks[u] and (not v or above(marks[u], v)) then v = marks[u] end
              if v then redis.call('HSET', KEYS[1], 'r:' .. u, v) end
              redis.call('SADD', KEYS[2] .. u, chat)
            end
            for u, _ in pairs(former) do
              if not members[u] then redis.call('SREM', KEYS[2] .. u, chat) end
            end
            return 1""";

    /** Moves member ARGV[1]'s marker forwards to ARGV[2] (a sort key), and records the move for MySQL in the stream KEYS[2]. */
    private static final String ADVANCE = ABOVE + """
            if redis.call('HEXISTS', KEYS[1], 'm:' .. ARGV[1]) == 0 then return -1 end
            local cur = redis.call('HGET', KEYS[1], 'r:' .. ARGV[1])
            if cur and not above(ARGV[2], cur) then return 0 end
            redis.call('HSET', KEYS[1], 'r:' .. ARGV[1], ARGV[2])
            redis.call('XADD', KEYS[2], '*', 'marker', ARGV[3] .. ':' .. ARGV[1] .. ':' .. ARGV[2])
            return 1""";

    /** The set of the chats a user is a member of (kept by {@link #PUT}). */
    static final String USER_CHATS = "user-chats:";

    private final JedisPool pool;

    public RedisChats(JedisPool pool) {
        this.pool = pool;
    }

    static String key(long chatId) {
        return KEY_PREFIX + chatId;
    }

    static String keyPattern() {
        return KEY_PREFIX + "*";
    }

    @Override
    public void put(Collection<Chat> chats) {
        if (chats.isEmpty()) {
            return;
        }
        run(jedis -> {
            Pipeline p = jedis.pipelined();
            for (Chat chat : chats) {
                List<String> args = new ArrayList<>();
                args.add(Long.toString(chat.version()));
                fields(chat).forEach((k, v) -> {
                    args.add(k);
                    args.add(v);
                });
                p.eval(PUT, List.of(key(chat.id()), USER_CHATS), args);
            }
            p.sync();
            return null;
        });
    }

    @Override
    public void remove(Collection<Long> chatIds) {
        if (!chatIds.isEmpty()) {
            run(jedis -> jedis.del(chatIds.stream().map(RedisChats::key).toArray(String[]::new)));
        }
    }

    @Override
    public Optional<Access> access(long chatId, long userId) {
        return run(jedis -> {
            Pipeline p = jedis.pipelined();
            Supplier<Boolean> holds = CacheState.holds(p, chatId);
            Response<List<String>> values = p.hmget(key(chatId), "visibility", MEMBER + userId, MARKER + userId);
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
        Object moved = run(jedis -> jedis.eval(ADVANCE, List.of(key(marker.chatId()), ReadMarkLog.KEY),
                List.of(Long.toString(marker.userId()), marker.upTo().sortKey(), Long.toString(marker.chatId()))));
        return Long.valueOf(1).equals(moved);
    }

    @Override
    public List<Unread> unread(long userId, Collection<Long> only) {
        return run(jedis -> {
            Pipeline p = jedis.pipelined();
            Response<Boolean> complete = p.exists(CacheState.COMPLETE);
            Response<Set<String>> rebuilding = p.smembers(CacheState.REBUILDING);
            Response<Set<String>> mine = p.smembers(USER_CHATS + userId);
            p.sync();
            if (!complete.get()) {
                throw new CacheIncompleteException(0);
            }
            java.util.TreeSet<Long> chats = new java.util.TreeSet<>();
            mine.get().forEach(c -> chats.add(Long.parseLong(c)));
            if (!only.isEmpty()) {
                chats.retainAll(only);
            }
            for (long chat : chats) {
                if (rebuilding.get().contains(Long.toString(chat))) {
                    throw new CacheIncompleteException(chat);
                }
            }
            for (int attempt = 0; ; attempt++) {
                Pipeline q = jedis.pipelined();
                Map<Long, Response<Object>> replies = new java.util.LinkedHashMap<>();
                chats.forEach(chat -> replies.put(chat, OrderIndex.unread(q, chat, userId)));
                q.sync();
                try {
                    List<Unread> out = new ArrayList<>();
                    replies.forEach((chat, reply) -> unreadOf(chat, reply.get()).ifPresent(out::add));
                    return out;
                } catch (redis.clients.jedis.exceptions.JedisDataException e) {
                    if (attempt > 0 || !String.valueOf(e.getMessage()).startsWith("NOSCRIPT")) {
                        throw e;
                    }
                    OrderIndex.load(jedis);
                }
            }
        });
    }

    /** {marker, count} as the order index answers it; empty when the user is no member (any more). */
    @SuppressWarnings("unchecked")
    private static Optional<Unread> unreadOf(long chatId, Object reply) {
        if (reply == null) {
            return Optional.empty();
        }
        List<Object> pair = (List<Object>) reply;
        String marker = pair.get(0) instanceof byte[] b ? redis.clients.jedis.util.SafeEncoder.encode(b) : (String) pair.get(0);
        long count = (Long) pair.get(1);
        return Optional.of(new Unread(chatId, count, marker.isEmpty() ? null : OrderKey.ofSortKey(marker).id()));
    }

    @Override
    public Optional<Chat> find(long chatId) {
        return run(jedis -> {
            Pipeline p = jedis.pipelined();
            Supplier<Boolean> holds = CacheState.holds(p, chatId);
            Response<Map<String, String>> hash = p.hgetAll(key(chatId));
            p.sync();
            if (!holds.get()) {
                throw new CacheIncompleteException(chatId);
            }
            return parse(chatId, hash.get());
        });
    }

    @Override
    public Map<Long, Chat> peek(Collection<Long> chatIds) {
        return run(jedis -> {
            Pipeline p = jedis.pipelined();
            Map<Long, Response<Map<String, String>>> hashes = new HashMap<>();
            chatIds.forEach(id -> hashes.put(id, p.hgetAll(key(id))));
            p.sync();
            Map<Long, Chat> chats = new HashMap<>();
            hashes.forEach((id, hash) -> parse(id, hash.get()).ifPresent(c -> chats.put(id, c)));
            return chats;
        });
    }

    @Override
    public List<String> unlisted(Collection<Chat> chats) {
        return run(jedis -> {
            Pipeline p = jedis.pipelined();
            Map<String, Response<Boolean>> listed = new java.util.LinkedHashMap<>();
            for (Chat chat : chats) {
                for (Member m : chat.members()) {
                    listed.put("user " + m.userId() + " in chat " + chat.id(),
                            p.sismember(USER_CHATS + m.userId(), Long.toString(chat.id())));
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
        });
    }

    @Override
    public Set<Long> ids() {
        return run(jedis -> {
            Set<Long> ids = new HashSet<>();
            ScanParams params = new ScanParams().match(keyPattern()).count(1000);
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = jedis.scan(cursor, params);
                page.getResult().forEach(k -> ids.add(Long.parseLong(k.substring(KEY_PREFIX.length()))));
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            return ids;
        });
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

    private <T> T run(Function<Jedis, T> action) {
        try (Jedis jedis = pool.getResource()) {
            return action.apply(jedis);
        } catch (JedisException e) {
            throw new BackendUnavailableException(BackendUnavailableException.Reason.UNREACHABLE,
                    "Redis cannot answer for chats: " + e.getMessage(), e);
        }
    }
}
