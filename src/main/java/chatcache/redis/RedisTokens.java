package chatcache.redis;

import chatcache.core.BackendUnavailableException;
import chatcache.user.Role;
import chatcache.user.TokenReplica;
import chatcache.user.User;
import chatcache.user.UserDirectory;
import chatcache.user.UserToken;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * Every user's token hash in Redis: {@code chatcache:tokens} maps a token's SHA-256 to
 * {@code id:ROLE:name}; {@code chatcache:tokens:upto} holds the highest user id copied and exists
 * only while the copy is complete, so a flushed Redis loses the claim with the data.
 */
public final class RedisTokens implements TokenReplica {
    static final String TOKENS = "chatcache:tokens";
    static final String UP_TO = "chatcache:tokens:upto";
    static final String COPYING = "chatcache:tokens:copying";
    static final String REVOKED = "chatcache:tokens:revoked";

    /** Claims completeness only if the full copy's ticket is still there (no flush since it began). */
    private static final String FINISH = """
            if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
            redis.call('SET', KEYS[2], ARGV[2])
            redis.call('DEL', KEYS[1])
            return 1""";
    /** Moves the mark forwards only, and only while a complete copy exists. */
    private static final String ADVANCE = """
            local cur = redis.call('GET', KEYS[1])
            if not cur then return 0 end
            if tonumber(ARGV[1]) > tonumber(cur) then redis.call('SET', KEYS[1], ARGV[1]) end
            return 1""";

    /** HDELs the hashes (ARGV[2..]) and moves the mark (KEYS[2]) forwards to ARGV[1]. */
    private static final String REVOKE = """
            for i = 2, #ARGV do redis.call('HDEL', KEYS[1], ARGV[i]) end
            local cur = redis.call('GET', KEYS[2])
            if not cur or tonumber(ARGV[1]) > tonumber(cur) then redis.call('SET', KEYS[2], ARGV[1]) end
            return 1""";

    private final JedisPool pool;

    public RedisTokens(JedisPool pool) {
        this.pool = pool;
    }

    @Override
    public Lookup find(String tokenHash) {
        return run(jedis -> {
            Pipeline p = jedis.pipelined();
            Response<Boolean> complete = p.exists(UP_TO);
            Response<String> value = p.hget(TOKENS, tokenHash);
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
        run(jedis -> jedis.hset(TOKENS, fields));
    }

    @Override
    public Long copiedUpTo() {
        String v = run(jedis -> jedis.get(UP_TO));
        return v == null ? null : Long.parseLong(v);
    }

    @Override
    public void advance(long upTo) {
        run(jedis -> jedis.eval(ADVANCE, List.of(UP_TO), List.of(Long.toString(upTo))));
    }

    @Override
    public String startFullCopy() {
        String ticket = UUID.randomUUID().toString();
        run(jedis -> jedis.set(COPYING, ticket));
        return ticket;
    }

    @Override
    public boolean finishFullCopy(String ticket, long upTo) {
        Object done = run(jedis -> jedis.eval(FINISH, List.of(COPYING, UP_TO), List.of(ticket, Long.toString(upTo))));
        return Long.valueOf(1).equals(done);
    }

    @Override
    public void revoke(List<UserDirectory.Revoked> revoked, long upTo) {
        List<String> args = new java.util.ArrayList<>();
        args.add(Long.toString(upTo));
        revoked.forEach(r -> args.add(r.tokenHash()));
        run(jedis -> jedis.eval(REVOKE, List.of(TOKENS, REVOKED), args));
    }

    @Override
    public long revocationMark() {
        String v = run(jedis -> jedis.get(REVOKED));
        return v == null ? -1 : Long.parseLong(v);
    }

    private static User parse(String value) {
        String[] parts = value.split(":", 3);
        return new User(Long.parseLong(parts[0]), parts[2], Role.valueOf(parts[1]));
    }

    private <T> T run(Function<Jedis, T> action) {
        try (Jedis jedis = pool.getResource()) {
            return action.apply(jedis);
        } catch (JedisException e) {
            throw new BackendUnavailableException("Redis cannot answer for tokens: " + e.getMessage(), e);
        }
    }
}
