package chatcache.redis;

import chatcache.rediskit.LuaScript;
import chatcache.rediskit.Redis;
import chatcache.user.Role;
import chatcache.user.TokenReplica;
import chatcache.user.User;
import chatcache.user.UserDirectory;
import chatcache.user.UserToken;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.Pool;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Every user's token hash in Redis: {@code chatcache:tokens} maps a token's SHA-256 to
 * {@code id:ROLE:name}; {@code chatcache:tokens:upto} holds the highest user id copied and exists
 * only while the copy is complete, so a flushed Redis loses the claim with the data. With chats
 * over several groups the names carry the tag {@code {tokens}} ({@code chatcache:{tokens}:upto}):
 * scripts use them together, which a Redis Cluster allows only within one slot.
 */
public final class RedisTokens implements TokenReplica {
    private final String hashKey;
    private final String upToKey;
    private final String copyingKey;
    private final String revokedKey;

    private static final LuaScript FINISH = LuaScript.load("tokens-finish-copy");
    private static final LuaScript ADVANCE = LuaScript.load("tokens-advance");
    private static final LuaScript REVOKE = LuaScript.load("tokens-revoke");

    private static final String WHAT = "answer for tokens";
    private final Redis redis;

    public RedisTokens(Redis redis, ChatGroups groups) {
        this.redis = redis;
        this.hashKey = hashOf(groups);
        this.upToKey = hashKey + ":upto";
        this.copyingKey = hashKey + ":copying";
        this.revokedKey = hashKey + ":revoked";
    }

    /** The token hash's name (the others are it and a suffix). */
    public static String hashOf(ChatGroups groups) {
        return groups.tagged() ? "chatcache:{tokens}" : "chatcache:tokens";
    }

    @Override
    public Lookup find(String tokenHash) {
        return redis.call(hashKey, WHAT, jedis -> {
            Pipeline p = jedis.pipelined();
            Response<Boolean> complete = p.exists(upToKey);
            Response<String> value = p.hget(hashKey, tokenHash);
            p.sync();
            if (value.get() != null) {
                return new Lookup(true, parse(value.get()));
            }
            return complete.get() ? new Lookup(true, null) : Lookup.UNSURE;
        });
    }

    @Override
    public void putAll(List<UserToken> users) {
        if (users.isEmpty()) {
            return;
        }
        Map<String, String> fields = new HashMap<>();
        for (UserToken u : users) {
            fields.put(u.tokenHash(), u.user().id() + ":" + u.user().role().name() + ":" + u.user().name());
        }
        redis.call(hashKey, WHAT, jedis -> jedis.hset(hashKey, fields));
    }

    @Override
    public Long copiedUpTo() {
        String v = redis.call(hashKey, WHAT, jedis -> jedis.get(upToKey));
        return v == null ? null : Long.parseLong(v);
    }

    @Override
    public void advance(long upTo) {
        redis.call(hashKey, WHAT, jedis -> ADVANCE.eval(jedis, List.of(upToKey), List.of(Long.toString(upTo))));
    }

    @Override
    public String startFullCopy() {
        String ticket = UUID.randomUUID().toString();
        redis.call(hashKey, WHAT, jedis -> jedis.set(copyingKey, ticket));
        return ticket;
    }

    @Override
    public boolean finishFullCopy(String ticket, long upTo) {
        Object done = redis.call(hashKey, WHAT, jedis -> FINISH.eval(jedis, List.of(copyingKey, upToKey), List.of(ticket, Long.toString(upTo))));
        return Long.valueOf(1).equals(done);
    }

    @Override
    public void revoke(List<UserDirectory.Revoked> revoked, long upTo) {
        List<String> args = new java.util.ArrayList<>();
        args.add(Long.toString(upTo));
        revoked.forEach(r -> args.add(r.tokenHash()));
        redis.call(hashKey, WHAT, jedis -> REVOKE.eval(jedis, List.of(hashKey, revokedKey), args));
    }

    @Override
    public long revocationMark() {
        String v = redis.call(hashKey, WHAT, jedis -> jedis.get(revokedKey));
        return v == null ? -1 : Long.parseLong(v);
    }

    private static User parse(String value) {
        String[] parts = value.split(":", 3);
        return new User(Long.parseLong(parts[0]), parts[2], Role.valueOf(parts[1]));
    }
}
