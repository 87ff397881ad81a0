package chatcache.bench;

import chatcache.query.MessageField;
import chatcache.query.OrderKey;
import chatcache.redis.KeySpace;
import chatcache.redis.OrderIndex;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.Pool;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.util.SafeEncoder;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The read workloads without HTTP or the app: the same commands and SQL the app issues, straight
 * to the engines, one connection per client. What the app adds on top of these is its own cost.
 */
final class RawBaseline {
    /** The app's Redis plan (order index, then FT.SEARCH INKEYS of the page), the naive single FT.SEARCH, or MySQL keyset SQL. */
    enum Kind {
        REDIS_PLAN("raw-redis", "order-index script + FT.SEARCH INKEYS of the page's hashes (the app's plan)"),
        REDIS_NAIVE("raw-redis-naive", "one FT.SEARCH of the whole chat, SORTBY createdAt DESC LIMIT skip 20"),
        MYSQL("raw-mysql", "the app's keyset SELECT with FORCE INDEX, plain JDBC");

        final String label;
        final String description;

        Kind(String label, String description) {
            this.label = label;
            this.description = description;
        }
    }

    private static final String INDEX = "idx:messages";
    private static final ProtocolCommand FT_SEARCH = () -> SafeEncoder.encode("FT.SEARCH");
    /**
     * The fields the app's FT.SEARCH returns (RedisQueryMapper): all but the words, which only the
     * text filter reads and which would add ~70 bytes to every document of the reply.
     */
    private static final List<String> RETURNED = List.of(MessageField.CHAT_ID.redisField(),
            MessageField.USER_ID.redisField(), "message", MessageField.CREATED_AT.redisField(), "data",
            MessageField.READ.redisField());

    private static List<String> returned() {
        List<String> args = new ArrayList<>(List.of("RETURN", Integer.toString(RETURNED.size())));
        args.addAll(RETURNED);
        return args;
    }

    private RawBaseline() {
    }

    /** A factory of clients for {@link ClosedLoop}: each client checks every answer holds {@code limit} messages. */
    static ClosedLoop.ClientFactory redis(Kind kind, Pool<Jedis> pool, long chatId, Workload w, int limit) {
        return () -> {
            Jedis jedis = pool.getResource();
            ClosedLoop.Op op = kind == Kind.REDIS_PLAN
                    ? () -> check(plan(jedis, chatId, w, limit), limit)
                    : () -> check(naive(jedis, chatId, w, limit), limit);
            return new ClosedLoop.Client() {
                @Override
                public ClosedLoop.Op op() {
                    return op;
                }

                @Override
                public void close() {
                    jedis.close();
                }
            };
        };
    }

    private static String check(int found, int limit) {
        return found == limit ? null : found + " messages instead of " + limit;
    }

    /**
     * The app's slice on Redis (RedisMessages.slice) for limit + 1 keys, with the check that Redis holds
     * the chat (and its boundary) inside the script call as the app makes it; returns the page's size. Like the MySQL
     * baseline, it starts from the anchor's sort key: the app's lookup of the anchor by id
     * (one round trip on the deep page) is not part of it.
     */
    static int plan(Jedis jedis, long chatId, Workload w, int limit) {
        String list = OrderIndex.list(KeySpace.STANDALONE, chatId, w.authorId() > 0 ? Optional.of(w.authorId()) : Optional.empty());
        List<String> sortKeys = OrderIndex.olderInHeld(jedis, KeySpace.STANDALONE, chatId, list,
                Optional.ofNullable(w.anchor()).map(OrderKey::sortKey), limit + 1).keys();
        if (sortKeys.isEmpty()) {
            return 0;
        }
        List<String> args = new ArrayList<>(List.of(INDEX,
                "@chatId:{" + chatId + "}" + (w.authorId() > 0 ? " @userId:{" + w.authorId() + "}" : ""),
                "INKEYS", Integer.toString(sortKeys.size())));
        for (String sortKey : sortKeys) {
            args.add("messages:" + OrderKey.ofSortKey(sortKey).id());
        }
        args.addAll(returned());
        args.addAll(List.of("LIMIT", "0", Integer.toString(sortKeys.size())));
        List<?> reply = (List<?>) jedis.sendCommand(FT_SEARCH, args.toArray(String[]::new));
        return Math.min(limit, (reply.size() - 1) / 2);
    }

    /** One FT.SEARCH over the whole chat (or author), sorted, cut at the page's offset. */
    static int naive(Jedis jedis, long chatId, Workload w, int limit) {
        String query = "@chatId:{" + chatId + "}" + (w.authorId() > 0 ? " @userId:{" + w.authorId() + "}" : "");
        long offset = w.anchor() == null ? 0 : w.depth() + 1;
        List<String> args = new ArrayList<>(List.of(INDEX, query, "SORTBY", "createdAt", "DESC"));
        args.addAll(returned());
        args.addAll(List.of("LIMIT", Long.toString(offset), Integer.toString(limit)));
        List<?> reply = (List<?>) jedis.sendCommand(FT_SEARCH, args.toArray(String[]::new));
        return (reply.size() - 1) / 2;
    }

    /** The SQL of mysql/SliceSql for this workload, LIMIT limit + 1. */
    static String sql(Workload w, int limit) {
        return "SELECT m.* FROM messages m FORCE INDEX ("
                + (w.authorId() > 0 ? "ix_messages_chat_user_order" : "ix_messages_chat_order") + ") WHERE m.chat_id = ?"
                + (w.authorId() > 0 ? " AND m.user_id = ?" : "")
                + (w.anchor() != null ? " AND (m.created_at < ? OR (m.created_at = ? AND m.id < ?))" : "")
                + " ORDER BY m.created_at DESC, m.id DESC LIMIT " + (limit + 1);
    }

    /**
     * A pool of its own with the app's settings (URL, user, driver properties) but room for every
     * client: the app's pool has 16 connections, fewer than 32 clients.
     */
    static HikariDataSource pool(HikariDataSource app, int clients) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(app.getJdbcUrl());
        c.setUsername(app.getUsername());
        c.setPassword(app.getPassword());
        c.setDataSourceProperties(app.getDataSourceProperties());
        c.setMaximumPoolSize(Math.max(1, clients));
        c.setPoolName("bench-raw-mysql");
        return new HikariDataSource(c);
    }

    static ClosedLoop.ClientFactory mysql(HikariDataSource ds, long chatId, Workload w, int limit) {
        String sql = sql(w, limit);
        return () -> {
            Connection c = ds.getConnection();
            PreparedStatement q = c.prepareStatement(sql);
            int i = 1;
            q.setLong(i++, chatId);
            if (w.authorId() > 0) {
                q.setLong(i++, w.authorId());
            }
            if (w.anchor() != null) {
                q.setLong(i++, w.anchor().createdAt());
                q.setLong(i++, w.anchor().createdAt());
                q.setLong(i, w.anchor().id());
            }
            ClosedLoop.Op op = () -> {
                List<Long> ids = new ArrayList<>(limit + 1);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong("id"));
                        rs.getString("message");
                        rs.getString("data");
                    }
                }
                return check(Math.min(limit, ids.size()), limit);
            };
            return new ClosedLoop.Client() {
                @Override
                public ClosedLoop.Op op() {
                    return op;
                }

                @Override
                public void close() throws Exception {
                    q.close();
                    c.close();
                }
            };
        };
    }
}
