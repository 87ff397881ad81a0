package chatcache;

import chatcache.logging.LogFormat;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Everything the program is configured with, read once from the environment and validated;
 * every error names the setting. {@link #toString()} never shows a password.
 */
public record Config(String dbUrl, String dbUser, String dbPassword, RedisAddress redis, String bind, int port,
                     Tunables tunables) {
    public static final int DEFAULT_PORT = 7070;
    /** why loopback: the API is plain HTTP; it is reached through a TLS proxy on the same host or network namespace. */
    public static final String DEFAULT_BIND = "127.0.0.1";

    /** Where Redis is: {@code redis://[:password@]host:port}. */
    public record RedisAddress(String host, int port, String password) {
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
            return "redis://" + (password == null ? "" : ":****@") + host + ":" + port;
        }
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
        RedisAddress redis = RedisAddress.parse(env.getOrDefault("CHATCACHE_REDIS_URL", "redis://127.0.0.1:6379"));
        String bind = parseBind(env.get("CHATCACHE_BIND"));
        int port = parsePort(env.get("CHATCACHE_PORT"));
        checkLogFormat(env.get("CHATCACHE_LOG_FORMAT"));
        return new Config(dbUrl, dbUser, dbPassword, redis, bind, port, Tunables.fromEnv(env));
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
