package chatcache.redis;

import chatcache.chat.Access;
import chatcache.chat.Chat;
import chatcache.chat.ChatReplica;
import chatcache.chat.Member;
import chatcache.chat.MemberRole;
import chatcache.chat.Visibility;
import chatcache.message.BackendUnavailableException;
import chatcache.message.CacheIncompleteException;
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

    /** Replaces the hash only with a newer version (ARGV[1]); ARGV[2..] are field, value pairs. */
    private static final String PUT = """
            local cur = redis.call('HGET', KEYS[1], 'version')
            if cur and tonumber(cur) >= tonumber(ARGV[1]) then return 0 end
            redis.call('DEL', KEYS[1])
            for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
            return 1""";

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
                p.eval(PUT, List.of(key(chat.id())), args);
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
            Response<List<String>> values = p.hmget(key(chatId), "visibility", MEMBER + userId);
            p.sync();
            if (!holds.get()) {
                throw new CacheIncompleteException(chatId);
            }
            String visibility = values.get().get(0);
            if (visibility == null) {
                return Optional.empty();
            }
            String role = values.get().get(1);
            return Optional.of(new Access(chatId, parseVisibility(visibility), role == null ? null : parseRole(role)));
        });
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
                members.add(new Member(Long.parseLong(k.substring(MEMBER.length())), parseRole(v)));
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
