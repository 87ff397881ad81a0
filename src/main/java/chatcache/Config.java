package chatcache;

import chatcache.logging.LogFormat;
import chatcache.rediskit.ReplicaWait;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Everything the program is configured with, read once from the environment and validated;
 * every error names the setting. {@link #toString()} never shows a password.
 */
public record Config(String dbUrl, String dbUser, String dbPassword, RedisServers redis, String bind, int port,
                     Tunables tunables) {
    public static final int DEFAULT_PORT = 7070;
    /** why loopback: the API is plain HTTP; it is reached through a TLS proxy on the same host or network namespace. */
    public static final String DEFAULT_BIND = "127.0.0.1";

    /**
     * Where Redis is: one server ({@link RedisAddress}), a primary that Sentinel names
     * ({@link SentinelAddress}) or a Redis Cluster ({@link ClusterAddress}); with the replicas a
     * write must reach before it is acknowledged outside Redis.
     */
    public sealed interface RedisServers permits RedisAddress, SentinelAddress, ClusterAddress {
        /** The password of the Redis servers (the primary and its replicas), or null. */
        String password();

        ReplicaWait replicaWait();
    }

    /** One Redis: {@code redis://[:password@]host:port}. */
    public record RedisAddress(String host, int port, String password, ReplicaWait replicaWait) implements RedisServers {
        public RedisAddress(String host, int port, String password) {
            this(host, port, password, ReplicaWait.NONE);
        }

        static RedisAddress parse(String url) {
            URI uri;
            try {
                uri = new URI(url);
            } catch (URISyntaxException e) {
                // why not getMessage(): it quotes the URL, password included
                throw new InvalidConfigException("CHATCACHE_REDIS_URL is not a URL: " + e.getReason() + " at index " + e.getIndex());
            }
            if (!"redis".equals(uri.getScheme())) {
                throw new InvalidConfigException("CHATCACHE_REDIS_URL must start with redis://");
            }
            if (uri.getHost() == null) {
                throw new InvalidConfigException("CHATCACHE_REDIS_URL has no host");
            }
            String path = uri.getRawPath();
            if (path != null && !path.isEmpty() && !path.equals("/") && !path.equals("/0")) {
                throw new InvalidConfigException("CHATCACHE_REDIS_URL must use database 0: RediSearch indexes only database 0");
            }
            String password = null;
            String userInfo = uri.getRawUserInfo();
            if (userInfo != null) {
                int colon = userInfo.indexOf(':');
                String raw = colon >= 0 ? userInfo.substring(colon + 1) : userInfo;
                password = URLDecoder.decode(raw, StandardCharsets.UTF_8);
            }
            return new RedisAddress(uri.getHost(), uri.getPort() == -1 ? 6379 : uri.getPort(), password);
        }

        @Override
        public String toString() {
            return "redis://" + (password == null ? "" : ":****@") + host + ":" + port
                    + (replicaWait.replicas() == 0 ? "" : " (waiting for " + replicaWait.replicas() + " replicas)");
        }
    }

    /**
     * A Redis primary with replicas, found and followed through Redis Sentinel.
     *
     * @param master           the name the sentinels monitor it by
     * @param sentinels        some of the sentinels ({@code host:port})
     * @param password         the primary's and its replicas' password, or null
     * @param sentinelPassword the sentinels' own password, or null
     */
    public record SentinelAddress(String master, java.util.List<Endpoint> sentinels, String password, String sentinelPassword,
                                  ReplicaWait replicaWait) implements RedisServers {
        @Override
        public String toString() {
            return "Sentinel master " + master + " at " + sentinels + (password == null ? "" : " (password ****)")
                    + " waiting for " + replicaWait.replicas() + " replicas";
        }
    }

    /**
     * A Redis Cluster: some of its nodes, from which the map of slots is read (the rest are found
     * there).
     *
     * @param password    the nodes' password, or null
     * @param replicaWait the replicas of each primary a write must reach (each group's writes
     *                    are confirmed on its own primary)
     */
    public record ClusterAddress(java.util.List<Endpoint> nodes, String password, ReplicaWait replicaWait) implements RedisServers {
        @Override
        public String toString() {
            return "Redis Cluster at " + nodes + (password == null ? "" : " (password ****)")
                    + " waiting for " + replicaWait.replicas() + " replicas";
        }
    }

    /** A server's host and port. */
    public record Endpoint(String host, int port) {
        /** {@code host:port}, the port required; the setting's name for errors. */
        static Endpoint parse(String setting, String value) {
            String v = value.strip();
            int colon = v.lastIndexOf(':');
            if (colon <= 0 || colon == v.length() - 1) {
                throw new InvalidConfigException(setting + " must list host:port pairs separated by commas, got '" + value + "'");
            }
            String host = v.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            if (!host.matches("[0-9A-Za-z.:\\-]{1,255}")) {
                throw new InvalidConfigException(setting + " has a host that is not an address or name: '" + host + "'");
            }
            int port;
            try {
                port = Integer.parseInt(v.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new InvalidConfigException(setting + " has a port that is not a number in '" + value + "'");
            }
            if (port < 1 || port > 65535) {
                throw new InvalidConfigException(setting + " has a port outside 1..65535 in '" + value + "'");
            }
            return new Endpoint(host, port);
        }

        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /**
     * Sentinel when CHATCACHE_REDIS_SENTINEL_MASTER is set (CHATCACHE_REDIS_URL is then not used),
     * else the one Redis of CHATCACHE_REDIS_URL; with CHATCACHE_REDIS_WAIT_REPLICAS (default 1
     * with Sentinel: a primary it promotes must have what was acknowledged; 0 for one Redis).
     */
    static RedisServers parseRedis(Map<String, String> env) {
        Settings s = new Settings(env);
        long waitMillis = s.number("CHATCACHE_REDIS_WAIT_TIMEOUT_MS", 1_000, 10, 60_000);
        String master = env.get("CHATCACHE_REDIS_SENTINEL_MASTER");
        String clusterNodes = env.get(CLUSTER_NODES);
        if (clusterNodes != null && !clusterNodes.isBlank()) {
            if (master != null && !master.isBlank()) {
                throw new InvalidConfigException(CLUSTER_NODES + " and CHATCACHE_REDIS_SENTINEL_MASTER are both set: a Redis"
                        + " Cluster fails over by itself; set one of them");
            }
            java.util.List<Endpoint> nodes = endpoints(CLUSTER_NODES, clusterNodes);
            // why 1 by default, as with Sentinel: a replica the cluster promotes must have what was acknowledged
            ReplicaWait wait = replicaWait(s.integer("CHATCACHE_REDIS_WAIT_REPLICAS", 1, 0, 16), waitMillis);
            return new ClusterAddress(nodes, blankToNull(env.get("CHATCACHE_REDIS_CLUSTER_PASSWORD")), wait);
        }
        if (master == null || master.isBlank()) {
            ReplicaWait wait = replicaWait(s.integer("CHATCACHE_REDIS_WAIT_REPLICAS", 0, 0, 16), waitMillis);
            RedisAddress one = RedisAddress.parse(env.getOrDefault("CHATCACHE_REDIS_URL", "redis://127.0.0.1:6379"));
            return new RedisAddress(one.host(), one.port(), one.password(), wait);
        }
        if (!master.strip().matches("[0-9A-Za-z._\\-]{1,200}")) {
            throw new InvalidConfigException("CHATCACHE_REDIS_SENTINEL_MASTER must be a master's name (letters, digits, . _ -), got '"
                    + master + "'");
        }
        String nodes = env.get("CHATCACHE_REDIS_SENTINEL_NODES");
        if (nodes == null || nodes.isBlank()) {
            throw new InvalidConfigException("CHATCACHE_REDIS_SENTINEL_NODES is not set: with CHATCACHE_REDIS_SENTINEL_MASTER it must list"
                    + " sentinels as host:port,host:port");
        }
        java.util.List<Endpoint> sentinels = endpoints("CHATCACHE_REDIS_SENTINEL_NODES", nodes);
        ReplicaWait wait = replicaWait(s.integer("CHATCACHE_REDIS_WAIT_REPLICAS", 1, 0, 16), waitMillis);
        return new SentinelAddress(master.strip(), sentinels, blankToNull(env.get("CHATCACHE_REDIS_SENTINEL_PASSWORD")),
                blankToNull(env.get("CHATCACHE_REDIS_SENTINEL_NODES_PASSWORD")), wait);
    }

    /** The setting that names a Redis Cluster's nodes. */
    public static final String CLUSTER_NODES = Tunables.CLUSTER_NODES;

    /** A list {@code host:port,host:port} of one or more servers. */
    private static java.util.List<Endpoint> endpoints(String setting, String value) {
        java.util.List<Endpoint> all = java.util.Arrays.stream(value.split(","))
                .filter(n -> !n.isBlank())
                .map(n -> Endpoint.parse(setting, n))
                .distinct()
                .toList();
        if (all.isEmpty()) {
            throw new InvalidConfigException(setting + " lists no server, got '" + value + "'");
        }
        return all;
    }

    private static ReplicaWait replicaWait(int replicas, long timeoutMillis) {
        return replicas == 0 ? ReplicaWait.NONE : new ReplicaWait(replicas, timeoutMillis);
    }

    private static String blankToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    public static Config fromEnv(Map<String, String> env) {
        String dbUrl = env.get("CHATCACHE_DB_URL");
        if (dbUrl == null || dbUrl.isBlank()) {
            throw new InvalidConfigException("CHATCACHE_DB_URL is not set (a JDBC URL such as jdbc:mysql://127.0.0.1:3306/chatcache)");
        }
        if (!dbUrl.startsWith("jdbc:mysql://")) {
            throw new InvalidConfigException("CHATCACHE_DB_URL must be a jdbc:mysql:// URL, got " + mask(dbUrl));
        }
        String dbUser = env.getOrDefault("CHATCACHE_DB_USER", "chatcache");
        if (dbUser.isBlank()) {
            throw new InvalidConfigException("CHATCACHE_DB_USER is empty");
        }
        String dbPassword = env.getOrDefault("CHATCACHE_DB_PASSWORD", "");
        RedisServers redis = parseRedis(env);
        String bind = parseBind(env.get("CHATCACHE_BIND"));
        int port = parsePort(env.get("CHATCACHE_PORT"));
        checkLogFormat(env.get("CHATCACHE_LOG_FORMAT"));
        Tunables tunables = Tunables.fromEnv(env);
        if (redis.replicaWait().waits() && redis.replicaWait().timeoutMillis() >= tunables.redis().socketMillis()) {
            // why: a WAIT longer than a reply may take ends as a broken connection, not as "not confirmed"
            throw new InvalidConfigException("CHATCACHE_REDIS_WAIT_TIMEOUT_MS (" + redis.replicaWait().timeoutMillis()
                    + ") must be below CHATCACHE_REDIS_SOCKET_TIMEOUT_MS (" + tunables.redis().socketMillis() + ")");
        }
        return new Config(dbUrl, dbUser, dbPassword, redis, bind, port, tunables);
    }

    /** An IP address or host name to listen on ({@code 0.0.0.0}: every IPv4 interface). */
    private static String parseBind(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_BIND;
        }
        String bind = value.strip();
        if (!bind.matches("[0-9A-Za-z.:\\-\\[\\]]{1,255}")) {
            throw new InvalidConfigException("CHATCACHE_BIND must be an IP address or host name, got '" + value + "'");
        }
        return bind.startsWith("[") && bind.endsWith("]") ? bind.substring(1, bind.length() - 1) : bind;
    }

    private static int parsePort(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_PORT;
        }
        try {
            int port = Integer.parseInt(value.strip());
            if (port < 0 || port > 65535) {
                throw new InvalidConfigException("CHATCACHE_PORT must be 0..65535, got " + value);
            }
            return port;
        } catch (NumberFormatException e) {
            throw new InvalidConfigException("CHATCACHE_PORT must be a number, got '" + value + "'");
        }
    }

    /**
     * why only checked: Logback reads the variable itself as it starts (logback.xml), before any
     * Config exists; a wrong value must still stop the program, as every other wrong setting does.
     */
    private static void checkLogFormat(String value) {
        try {
            LogFormat.of(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("CHATCACHE_LOG_FORMAT " + e.getMessage());
        }
    }

    /** JDBC URLs may carry password=... or user:password@; never print one. */
    private static String mask(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1****").replaceAll("(//[^/@]*?:)[^/@]*@", "$1****@");
    }

    @Override
    public String toString() {
        return "Config[dbUrl=" + mask(dbUrl) + ", dbUser=" + dbUser + ", dbPassword=****, redis=" + redis + ", port=" + port + "]";
    }
}
