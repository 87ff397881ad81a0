package chatcache.redis;

import chatcache.message.BackendUnavailableException;
import chatcache.message.Message;
import chatcache.message.MessageBackend;
import chatcache.message.MessageCache;
import chatcache.message.ReadMarkReplica;
import chatcache.query.SearchCriteria;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.SafeEncoder;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Messages as Redis hashes indexed by idx:messages: the cache, and the read path of everyone but API clients. */
public final class RedisMessages implements MessageCache, MessageBackend, ReadMarkReplica {
    private final JedisPool pool;
    private final SearchIndex index;

    public RedisMessages(JedisPool pool, SearchIndex index) {
        this.pool = pool;
        this.index = index;
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public void put(Message message) {
        String key = MessageHash.key(message.id());
        try (Jedis jedis = pool.getResource()) {
            if (index.indexesExplicitly()) {
                Transaction tx = jedis.multi();
                tx.hset(key, MessageHash.fields(message));
                tx.sendCommand(SearchCommand.ADDHASH, SearchIndex.NAME, key, "1.0", "REPLACE");
                requireSuccess(tx.exec(), "caching message " + message.id());
            } else {
                jedis.hset(key, MessageHash.fields(message));
            }
        } catch (JedisException e) {
            throw new BackendUnavailableException("Redis could not cache message " + message.id() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<Message> search(SearchCriteria criteria) {
        List<String> args = new ArrayList<>(RedisQueryMapper.toSearchArgs(SearchIndex.NAME, criteria));
        args.addAll(index.searchOptions());
        Object reply;
        try (Jedis jedis = pool.getResource()) {
            reply = jedis.sendCommand(SearchCommand.SEARCH, args.toArray(String[]::new));
        } catch (JedisException e) {
            // a timed-out query lands here too: ON_TIMEOUT FAIL turns it into an error reply
            throw new BackendUnavailableException("Redis search failed: " + e.getMessage(), e);
        }
        return parseSearchReply((List<?>) reply);
    }

    /** FT.SEARCH replies (RESP2) [total, key, [field, value, ...], key, [...], ...]. */
    static List<Message> parseSearchReply(List<?> reply) {
        List<Message> messages = new ArrayList<>((reply.size() - 1) / 2);
        for (int i = 1; i + 1 < reply.size(); i += 2) {
            String key = SafeEncoder.encode((byte[]) reply.get(i));
            List<?> raw = (List<?>) reply.get(i + 1);
            Map<String, String> fields = new HashMap<>();
            for (int f = 0; f + 1 < raw.size(); f += 2) {
                fields.put(SafeEncoder.encode((byte[]) raw.get(f)), SafeEncoder.encode((byte[]) raw.get(f + 1)));
            }
            messages.add(MessageHash.toMessage(key, fields));
        }
        return messages;
    }

    /**
     * Marks read in one MULTI/EXEC, which also appends the marks to the read-mark stream: the marks
     * and the record that MySQL still needs them are written together or not at all.
     */
    @Override
    public void markRead(Collection<Long> ids) {
        if (ids.isEmpty()) {
            return;
        }
        try (Jedis jedis = pool.getResource()) {
            Transaction tx = jedis.multi();
            for (long id : ids) {
                tx.hset(MessageHash.key(id), MessageHash.READ, "1");
            }
            ReadMarkStream.append(tx, ids);
            requireSuccess(tx.exec(), "marking " + ids.size() + " messages read");
        } catch (JedisException e) {
            throw new BackendUnavailableException("Redis could not mark messages read: " + e.getMessage(), e);
        }
    }

    /** Marks made on the MySQL path, copied here; read is not indexed, so no re-indexing is needed. */
    @Override
    public void applyReadMarks(Collection<Long> ids) {
        if (ids.isEmpty()) {
            return;
        }
        try (Jedis jedis = pool.getResource()) {
            // why: HSET on a message Redis does not hold would create a stub hash with only "read";
            // a message missing here is the cache's gap to fill, not a mark to record
            Pipeline check = jedis.pipelined();
            List<Long> order = new ArrayList<>(ids);
            List<Response<Boolean>> present = order.stream().map(id -> check.exists(MessageHash.key(id))).toList();
            check.sync();
            Transaction tx = jedis.multi();
            for (int i = 0; i < order.size(); i++) {
                if (present.get(i).get()) {
                    tx.hset(MessageHash.key(order.get(i)), MessageHash.READ, "1");
                }
            }
            requireSuccess(tx.exec(), "copying " + ids.size() + " read marks");
        } catch (JedisException e) {
            throw new BackendUnavailableException("Redis could not copy read marks: " + e.getMessage(), e);
        }
    }

    private static void requireSuccess(List<Object> results, String what) {
        if (results == null) {
            throw new BackendUnavailableException(what + ": transaction discarded", null);
        }
        for (Object r : results) {
            if (r instanceof Exception e) {
                throw new BackendUnavailableException(what + ": " + e.getMessage(), e);
            }
        }
    }
}
