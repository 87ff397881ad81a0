package chatcache;

import chatcache.background.Repeater;
import chatcache.chat.ChatService;
import chatcache.chat.ChatStore;
import chatcache.message.Explain;
import chatcache.message.RedisRoute;
import chatcache.message.IdempotencyKeys;
import chatcache.message.MessageService;
import chatcache.metrics.Metrics;
import chatcache.metrics.RelayMetrics;
import chatcache.metrics.ServiceMetrics;
import chatcache.mysql.Database;
import chatcache.mysql.MySqlChats;
import chatcache.mysql.MySqlIdempotencyKeys;
import chatcache.mysql.MySqlMessages;
import chatcache.mysql.MySqlUsers;
import chatcache.rediskit.Redis;
import chatcache.rediskit.RedisCluster;
import chatcache.redis.CacheState;
import chatcache.redis.ChatGroups;
import chatcache.redis.OrderIndex;
import chatcache.redis.RedisChats;
import chatcache.redis.RedisMessages;
import chatcache.redis.RedisTokens;
import chatcache.redis.SearchIndex;
import chatcache.replication.CacheRebuild;
import chatcache.replication.CacheRelay;
import chatcache.replication.ChatCopies;
import chatcache.replication.Instance;
import chatcache.replication.OutboxAcks;
import chatcache.replication.ReadMarkRelay;
import chatcache.replication.Replication;
import chatcache.user.Authenticator;
import chatcache.user.RevocationWatch;
import chatcache.user.TokenSync;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.Pool;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPoolConfig;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.RedisProtocol;

import java.time.Clock;

/** The program's parts, wired by hand from a {@link Config}: open once, close once. */
public final class ChatCache implements AutoCloseable {
    /** How often users added while Redis was unreachable are looked for. */
    private static final long TOKEN_SYNC_MILLIS = 1_000;

    private final Metrics metrics = new Metrics();
    private final Database database;
    private final Pool<Jedis> redisPool;
    /** Where every adapter's Redis work runs (routed by its keys' slot on a cluster). */
    private final Redis redis;
    /** The groups chats are spread over in Redis (CHATCACHE_REDIS_INDEX_GROUPS). */
    private final ChatGroups groups;
    private final SearchIndex searchIndex;
    private final MySqlMessages mysqlMessages;
    private final RedisMessages redisMessages;
    private final CacheState cacheState;
    private final Replication replication;
    private final MessageService messages;
    private final ChatStore chatStore;
    private final ChatService chats;
    private final Authenticator authenticator;
    private final TokenSync tokenSync;
    private final RedisRoute redisRoute;
    /** Pages this instance keeps in memory, reused while Redis says their chat has not changed. */
    private final chatcache.message.HotPages hotPages;
    /** How many of each chat's newest messages Redis holds (0: all). */
    private final int window;
    private final Repeater tokenSyncWorker;
    private final Repeater revocationWatch;
    private volatile boolean draining;
    /** Deletes Idempotency-Keys older than 24 h (every instance; deleting twice is harmless). */
    private final Repeater idempotencyExpiry;

    private ChatCache(Config config, Clock clock) {
        Tunables tunables = config.tunables();
        this.groups = groupsOf(config);
        try {
            this.database = Database.open(config.dbUrl(), config.dbUser(), config.dbPassword(), tunables.db());
        } catch (RuntimeException e) {
            metrics.close(); // why: its GC listener would outlive a server that never started
            throw e;
        }
        Redis opened = null;
        try {
            opened = openRedis(config.redis(), tunables.redis());
            this.redis = opened;
            this.redisPool = opened.pool().orElse(null);
            this.searchIndex = SearchIndex.prepare(redis, groups);
            Tunables.Cache settings = cacheSettings(tunables.cache(), searchIndex);
            this.window = settings.window();
            this.redisMessages = new RedisMessages(redis, groups, searchIndex, new OrderIndex(OrderIndex.DEFAULT_BUCKET_SIZE), tunables.events(),
                    window, config.redis().replicaWait());
            this.mysqlMessages = new MySqlMessages(database.sessionFactory(), clock);
            this.redisRoute = new RedisRoute(redisMessages, mysqlMessages);
            this.hotPages = new chatcache.message.HotPages(tunables.hotPagesMb() * 1024 * 1024);
            MySqlChats mysqlChats = new MySqlChats(database.sessionFactory());
            this.chatStore = mysqlChats;
            this.cacheState = new CacheState(redis, groups, tunables.events());
            RedisChats redisChats = new RedisChats(redis, groups, config.redis().replicaWait());
            this.replication = new Replication(Instance.ofThisProcess(), clock, redis, groups, config.redis().replicaWait(), mysqlMessages, redisMessages,
                    cacheState, mysqlMessages, mysqlChats::applyMarkers, mysqlChats, redisChats,
                    this::forgetRemembered, this::prepareRedis, tunables.relays(), window,
                    settings.budgetBytes(cacheState.memory().maxBytes()), cacheState,
                    new RelayMetrics(metrics.registry()));
            replication.readMarks().prepare();
            this.chats = new ChatService(clock, mysqlChats, redisChats, replication.chatCopies(),
                    Math.max(1, tunables.db().size() / 4), tunables.db().socketMillis());
            this.messages = new MessageService(clock, mysqlMessages, redisMessages, replication.requestCopies(),
                    mysqlMessages, redisRoute, MessageService.AfterCommit.NOTHING,
                    new Explain.Translators(MySqlMessages.translator(), redisMessages.translator()),
                    new MySqlIdempotencyKeys(database.sessionFactory()), replication.budget());
            MySqlUsers users = new MySqlUsers(database.sessionFactory());
            RedisTokens tokens = new RedisTokens(redis, groups);
            this.authenticator = new Authenticator(users, tokens, clock);
            this.tokenSync = new TokenSync(users, tokens);
            this.tokenSyncWorker = new Repeater("token-sync", tokenSync::step, TOKEN_SYNC_MILLIS);
            IdempotencyKeys keys = messages.idempotencyKeys().orElseThrow();
            this.idempotencyExpiry = new Repeater("idempotency-expiry", () -> {
                while (keys.expire(clock.millis(), 1_000) == 1_000) {
                    // a backlog after downtime goes in chunks, each its own short transaction
                }
            }, 60_000);
            this.revocationWatch = new Repeater("revocation-watch", new RevocationWatch(users, tokens, authenticator)::step,
                    RevocationWatch.PERIOD_MILLIS);
            bindMetrics(clock);
        } catch (RuntimeException e) {
            if (opened != null) {
                opened.close();
            }
            database.close();
            metrics.close();
            throw e;
        }
    }

    /** The meters GET /metrics shows of this server's parts (README, Metrics). */
    private void bindMetrics(Clock clock) {
        io.micrometer.core.instrument.MeterRegistry registry = metrics.registry();
        ServiceMetrics.fallbacks(registry, messages.fallbacks());
        // why each backlog's own clock: outbox rows carry this server's time, stream ids Redis's
        ServiceMetrics.outbox(registry, mysqlMessages::outboxSize, mysqlMessages::outboxOldestMillis, clock::millis);
        ServiceMetrics.readMarks(registry, replication.readMarks()::backlog,
                replication.readMarks()::oldestMillis, System::currentTimeMillis);
        ServiceMetrics.rebuild(registry, replication.rebuild()::status);
        ServiceMetrics.cache(registry, replication.budget()::budgetBytes, () -> quietly(() -> cacheState.memory().usedBytes()),
                () -> quietly(cacheState::count), replication.budget()::evictions, replication.warmer()::warmed,
                replication.warmer()::warmedMillis, replication.budget()::refused);
        ServiceMetrics.mysqlPool(registry, database.dataSource());
        if (redisPool != null) { // why: a cluster's connections are pooled per node, inside Jedis
            ServiceMetrics.redisPool(registry, redisPool);
        }
        ServiceMetrics.hotPages(registry, hotPages);
    }

    /**
     * A chat the relay copied changed: what this server remembers of its access goes. why a
     * method: the chat service is made after the replication, with its copies.
     */
    private void forgetRemembered(java.util.Set<Long> chatIds) {
        chatIds.forEach(chats::forget);
    }

    /**
     * The window and budget asked for, on an engine that can hold windows; on RediSearch 1.x whole
     * chats and no budget (see {@link SearchIndex#supportsWindows}), said once at start.
     */
    private static Tunables.Cache cacheSettings(Tunables.Cache asked, SearchIndex index) {
        if (index.supportsWindows() || (asked.window() == 0 && asked.budgetMb() <= 0)) {
            return asked;
        }
        org.slf4j.LoggerFactory.getLogger(ChatCache.class).warn("RediSearch {} loses documents from its combined queries"
                + " after many deletions, and a window deletes one at every post beyond it: Redis holds whole chats"
                + " and evicts none (CHATCACHE_CACHE_WINDOW and CHATCACHE_CACHE_BUDGET_MB need RediSearch 2.x, as in"
                + " Redis 8; see README)", index.versionText());
        return new Tunables.Cache(0, 0, asked.indexGroups());
    }

    public static ChatCache open(Config config, Clock clock) {
        return new ChatCache(config, clock);
    }

    /**
     * The groups chats are spread over: CHATCACHE_REDIS_INDEX_GROUPS of them; on a Redis Cluster
     * always named with hash tags (one group too), on one Redis with one group's plain names.
     */
    public static ChatGroups groupsOf(Config config) {
        int count = config.tunables().cache().indexGroups();
        return config.redis() instanceof Config.ClusterAddress ? ChatGroups.tagged(count) : ChatGroups.withCount(count);
    }

    /** Redis as the configuration says, checked to answer (every primary of a cluster). */
    public static Redis openRedis(Config config) {
        return openRedis(config.redis(), config.tunables().redis());
    }

    /**
     * Redis as the configuration says, not asked anything yet: one Redis (or a Sentinel's primary)
     * is connected to when first used, so that a command which must work while it is down can
     * start (users revoke and add: MySQL first, Redis when it answers; a server applies what it
     * missed). A cluster's map of slots is read at once, so one of its nodes must answer.
     */
    public static Redis connectRedis(Config config) {
        Tunables.Pool settings = config.tunables().redis();
        if (config.redis() instanceof Config.ClusterAddress cluster) {
            return new Redis(openCluster(cluster, settings));
        }
        return new Redis(redisPool(config.redis(), settings));
    }

    private static Redis openRedis(Config.RedisServers servers, Tunables.Pool settings) {
        if (servers instanceof Config.ClusterAddress cluster) {
            Redis redis = new Redis(openCluster(cluster, settings));
            try {
                redis.onEveryPrimary("answer a ping", Jedis::ping);
            } catch (RuntimeException e) {
                redis.close();
                throw new IllegalStateException("cannot reach every primary of the " + servers + " (" + Config.CLUSTER_NODES + "): "
                        + e.getMessage(), e);
            }
            return redis;
        }
        return new Redis(openPool(servers, settings));
    }

    private static RedisCluster openCluster(Config.ClusterAddress cluster, Tunables.Pool settings) {
        org.apache.commons.pool2.impl.GenericObjectPoolConfig<redis.clients.jedis.Connection> perNode =
                new org.apache.commons.pool2.impl.GenericObjectPoolConfig<>();
        perNode.setMaxTotal(settings.size());
        perNode.setMaxIdle(settings.size());
        perNode.setMaxWait(java.time.Duration.ofMillis(settings.waitMillis()));
        try {
            return new RedisCluster(cluster.nodes().stream().map(e -> new HostAndPort(e.host(), e.port())).toList(),
                    clientConfig(cluster.password(), settings), perNode);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot read the slots of the " + cluster + " (" + Config.CLUSTER_NODES + "): "
                    + e.getMessage(), e);
        }
    }

    private static Pool<Jedis> openPool(Config.RedisServers servers, Tunables.Pool settings) {
        Pool<Jedis> pool;
        try {
            pool = redisPool(servers, settings);
        } catch (JedisException e) {
            // why: JedisSentinelPool asks the sentinels for the primary as it is made
            throw new IllegalStateException("cannot reach Redis through " + servers + ": " + e.getMessage(), e);
        }
        try (Jedis jedis = pool.getResource()) {
            jedis.ping();
        } catch (RuntimeException e) {
            pool.close();
            throw new IllegalStateException("cannot reach Redis at " + servers + " (" + setting(servers) + "): " + e.getMessage(), e);
        }
        return pool;
    }

    private static String setting(Config.RedisServers servers) {
        return servers instanceof Config.SentinelAddress ? "CHATCACHE_REDIS_SENTINEL_*" : "CHATCACHE_REDIS_URL";
    }

    /** A pool of RESP2 connections to Redis; nothing is connected until used (but Sentinel is asked for the primary). */
    public static Pool<Jedis> redisPool(Config.RedisServers servers) {
        return redisPool(servers, Tunables.DEFAULT.redis());
    }

    /**
     * The same, with this pool's size and timeouts. Through Sentinel, the pool follows the primary:
     * Jedis listens to the sentinels' {@code +switch-master} and its next connections go to the
     * promoted replica, without a restart. why JedisSentinelPool, deprecated in Jedis 8: it is the
     * one Sentinel client that lends {@link Jedis} connections, which every adapter here uses
     * (pipelines, MULTI, scripts); RedisSentinelClient lends raw connections from a pool it
     * replaces at each switch (docs/cluster-jedis-notes.md, section 3).
     */
    @SuppressWarnings("deprecation")
    public static Pool<Jedis> redisPool(Config.RedisServers servers, Tunables.Pool settings) {
        DefaultJedisClientConfig client = clientConfig(servers.password(), settings);
        JedisPoolConfig poolConfig = new JedisPoolConfig();
        poolConfig.setMaxTotal(settings.size());
        poolConfig.setMaxIdle(settings.size());
        // why: with every connection busy, a request fails (and falls back) instead of waiting for ever
        poolConfig.setMaxWait(java.time.Duration.ofMillis(settings.waitMillis()));
        return switch (servers) {
            case Config.RedisAddress one -> new JedisPool(poolConfig, new HostAndPort(one.host(), one.port()), client);
            case Config.SentinelAddress sentinel -> new redis.clients.jedis.JedisSentinelPool(sentinel.master(),
                    sentinel.sentinels().stream().map(e -> new HostAndPort(e.host(), e.port()))
                            .collect(java.util.stream.Collectors.toCollection(java.util.LinkedHashSet::new)),
                    poolConfig, client, clientConfig(sentinel.sentinelPassword(), settings));
            case Config.ClusterAddress cluster -> throw new IllegalArgumentException(
                    "a Redis Cluster has no one pool: ChatCache.openRedis connects to it");
        };
    }

    private static DefaultJedisClientConfig clientConfig(String password, Tunables.Pool settings) {
        return DefaultJedisClientConfig.builder()
                .password(password)
                // why: RediSearch 1.2 replies cannot be parsed as RESP3; RESP2 works on every version
                .protocol(RedisProtocol.RESP2)
                .connectionTimeoutMillis((int) settings.connectMillis())
                .socketTimeoutMillis((int) settings.socketMillis())
                .clientName("chatcache")
                .build();
    }

    public MessageService messages() {
        return messages;
    }

    /** The pages this instance keeps in memory (CHATCACHE_HOT_PAGES_MB). */
    public chatcache.message.HotPages hotPages() {
        return hotPages;
    }

    /** Chats, members and access. */
    public ChatService chats() {
        return chats;
    }

    /** Chats and members in MySQL. */
    public ChatStore chatStore() {
        return chatStore;
    }

    /** Copies of chats and members from MySQL to Redis. */
    public ChatCopies chatCopies() {
        return replication.chatCopies();
    }

    /** Keeping the Redis copy in step, both directions. */
    public Replication replication() {
        return replication;
    }

    public Authenticator authenticator() {
        return authenticator;
    }

    public MySqlMessages mysqlMessages() {
        return mysqlMessages;
    }

    public RedisMessages redisMessages() {
        return redisMessages;
    }

    /** The store of every reader but API clients: Redis's window of each chat, continued by MySQL below it. */
    public RedisRoute redisRoute() {
        return redisRoute;
    }

    public ReadMarkRelay readMarks() {
        return replication.readMarks();
    }

    /** Where requests acknowledge outbox entries Redis received. */
    public OutboxAcks outboxAcks() {
        return replication.acks();
    }

    /** The MySQL-to-Redis relay of the outbox. */
    public CacheRelay cacheRelay() {
        return replication.relay();
    }

    /** Creates the index and the read-mark stream if they are missing, as after a flush. */
    public void prepareRedis() {
        SearchIndex.prepare(redis, groups);
        replication.readMarks().prepare();
    }

    public CacheRebuild rebuild() {
        return replication.rebuild();
    }

    public CacheState cacheState() {
        return cacheState;
    }

    /** Copies users added since the last round (or all, after a flush) to Redis's token replica. */
    public TokenSync tokenSync() {
        return tokenSync;
    }

    /** Starts the background work: relays in both directions, the token copy, and rebuilding a lost cache. */
    public void startRelays() {
        tokenSyncWorker.start();
        revocationWatch.start();
        idempotencyExpiry.start();
        replication.start();
    }

    public Database database() {
        return database;
    }

    /** The registry every part records in; GET /metrics shows it. */
    public Metrics metrics() {
        return metrics;
    }

    /** The pool of one Redis (tests reach its keys through it); a cluster has none. */
    public Pool<Jedis> redisPool() {
        if (redisPool == null) {
            throw new IllegalStateException("a Redis Cluster has no one pool: use redis()");
        }
        return redisPool;
    }

    /** Where Redis work runs: what adapters made outside (the rate limiter, events) take. */
    public Redis redis() {
        return redis;
    }

    /**
     * Moves a group of chats (its slot) to another primary of the Redis Cluster, its search index
     * made there before its keys arrive ({@code cache move-group}); pages of the group are MySQL's
     * while it moves. Returns the count of keys moved.
     *
     * @throws IllegalArgumentException not a cluster, no such group, or the target is no primary
     */
    public long moveGroup(int group, redis.clients.jedis.HostAndPort to, java.util.function.LongConsumer progress) {
        chatcache.rediskit.RedisCluster cluster = redis.cluster().orElseThrow(() -> new IllegalArgumentException(
                "moving a group needs a Redis Cluster (CHATCACHE_REDIS_CLUSTER_NODES)"));
        if (group < 0 || group >= groups.count()) {
            throw new IllegalArgumentException("no group " + group + ": the groups are 0 to " + (groups.count() - 1));
        }
        if (!cluster.primaries().contains(to)) {
            throw new IllegalArgumentException(to + " is not a primary of the cluster; its primaries: " + cluster.primaries());
        }
        chatcache.redis.KeySpace keys = groups.all().get(group);
        int slot = chatcache.rediskit.RedisCluster.slot(keys.route());
        return cluster.moveSlot(slot, to, target -> searchIndex.createImporting(target, keys, slot), progress);
    }

    /** The groups chats are spread over, and their keys' names. */
    public ChatGroups groups() {
        return groups;
    }

    public SearchIndex searchIndex() {
        return searchIndex;
    }

    /** What GET /health reports; a store that is down reports its backlog as unknown (null). */
    public Health health() {
        boolean mysqlUp = database.isUp();
        boolean redisUp;
        try {
            redisUp = redis.onEveryPrimary("answer a ping", Jedis::ping).stream().allMatch("PONG"::equals);
        } catch (RuntimeException e) {
            redisUp = false;
        }
        Long outbox = mysqlUp ? quietly(mysqlMessages::outboxSize) : null;
        Long readMarkBacklog = redisUp ? quietly(replication.readMarks()::backlog) : null;
        Boolean complete = redisUp ? quietly(cacheState::holdsAll) : null;
        Long usedBytes = redisUp ? quietly(() -> cacheState.memory().usedBytes()) : null;
        Long chatsHeld = redisUp ? quietly(cacheState::count) : null;
        return new Health(Version.current(), draining, mysqlUp, redisUp, searchIndex.versionText(), complete, outbox,
                readMarkBacklog, messages.fallbacks().snapshot(),
                new CacheUse(window, replication.budget().budgetBytes(), usedBytes, chatsHeld,
                        replication.budget().evictions(), replication.warmer().warmed()));
    }

    private static <T> T quietly(java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * The process is stopping (SIGTERM): readiness answers 503 from now on, so that a load balancer
     * that still polls it routes elsewhere while requests in flight finish.
     */
    public void beginDraining() {
        draining = true;
    }

    /**
     * What Redis holds against its budget: the window, the budget (0: none), Redis's memory used and
     * the chats held (null when Redis cannot say), and chats evicted and loaded by this instance
     * since start.
     */
    public record CacheUse(int window, long budgetBytes, Long usedBytes, Long chatsHeld, long evictions, long warmUps) {
    }

    /**
     * @param version           this build's version
     * @param draining          the process is stopping ({@link #beginDraining})
     * @param cacheComplete     whether Redis holds a complete copy (false while it is rebuilt)
     * @param outboxBacklog     changes committed to MySQL whose Redis copy is not confirmed yet
     * @param readMarkBacklog   read-mark batches made in Redis that MySQL has not applied yet
     * @param fallbacks         Redis-route reads answered by MySQL since start, by cause
     * @param cache             what Redis holds against its budget
     */
    public record Health(String version, boolean draining, boolean mysqlUp, boolean redisUp, String redisearchVersion,
                         Boolean cacheComplete,
                         Long outboxBacklog, Long readMarkBacklog, java.util.Map<String, Long> fallbacks, CacheUse cache) {
        public boolean allUp() {
            return mysqlUp && redisUp;
        }

        /** Whether reads can be served: by MySQL, or by Redis holding a complete copy; never while draining. */
        public boolean ready() {
            return !draining && (mysqlUp || (redisUp && Boolean.TRUE.equals(cacheComplete)));
        }
    }

    @Override
    public void close() {
        revocationWatch.close();
        idempotencyExpiry.close();
        tokenSyncWorker.close();
        replication.close();
        redis.close();
        database.close();
        metrics.close();
    }
}
