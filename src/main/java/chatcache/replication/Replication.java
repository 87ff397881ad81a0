package chatcache.replication;

import chatcache.Tunables;
import chatcache.chat.ChatReplica;
import chatcache.logging.ExceptionText;
import chatcache.chat.ChatStore;
import chatcache.chat.ReadMarker;
import chatcache.message.CacheCompleteness;
import chatcache.message.HeldChats;
import chatcache.message.MessageCache;
import chatcache.message.MessageStore;
import chatcache.message.ReadMarkReplica;
import chatcache.redis.ChatGroups;
import chatcache.redis.KeySpace;
import chatcache.rediskit.Redis;
import chatcache.rediskit.ReplicaWait;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.Pool;

import java.time.Clock;
import java.util.Collection;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Keeping Redis's copy in step with MySQL, both directions, on any number of instances sharing
 * the two stores:
 * <ul>
 * <li>MySQL to Redis: each change is copied by its request ({@link RequestCopies},
 *     {@link ChatCopies}); its outbox row, written in the change's transaction, is re-sent by
 *     {@link CacheRelay} if that copy never happened. Instances take disjoint batches of the
 *     outbox (SKIP LOCKED).</li>
 * <li>Redis to MySQL: read marks made in Redis are logged in a stream in the same step and applied
 *     to MySQL by {@link ReadMarkRelay}: one consumer per instance; entries a dead instance was
 *     handed are taken over by another.</li>
 * <li>Repair: {@link CacheGuard} notices a Redis that lost its data and {@link CacheRebuild}
 *     refills it, one instance at a time ({@link Lease}); {@link CacheSync} settles copies that
 *     raced newer changes; rebuild and verify also serve the CLI.</li>
 * </ul>
 */
public final class Replication implements AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Replication.class);
    /** How long a rebuild lease lasts without renewal (it is renewed every batch of 1,000 messages). */
    static final long REBUILD_LEASE_MILLIS = 30_000;

    private final CacheBudget budget;
    private static final long EVICT_LEASE_MILLIS = 30_000;
    private final ChatWarmer warmer;
    private final Instance instance;
    private final OutboxAcks acks = new OutboxAcks();
    private final RequestCopies requestCopies;
    private final ChatCopies chatCopies;
    private final CacheRelay relay;
    private final ReadMarkRelay readMarks;
    private final CacheRebuild rebuild;
    private final CacheGuard guard;

    /**
     * @param mysqlMarks     MySQL, receiving read marks made in Redis
     * @param markersToMysql applies members' read markers moved in Redis to MySQL
     * @param chatsCopied    told which chats the relay copied (what the server remembers of them is stale)
     * @param replicas       the replicas Redis's copies must reach before MySQL forgets them (outbox
     *                       entries deleted, read marks taken from Redis's stream into MySQL)
     * @param prepareRedis   creates the index and stream if missing (after a flush)
     * @param batches        told the size of each batch either relay carries (metrics)
     */
    public Replication(Instance instance, Clock clock, Redis redis, ChatGroups groups, ReplicaWait replicas,
                       MessageStore store, MessageCache cache, CacheCompleteness state,
                       ReadMarkReplica mysqlMarks,
                       Consumer<Collection<ReadMarker>> markersToMysql,
                       ChatStore chatStore, ChatReplica chatReplica, Consumer<Set<Long>> chatsCopied,
                       Runnable prepareRedis, Tunables.Relays relays, int window, long budgetBytes, HeldChats held,
                       RelayBatches batches) {
        this.instance = instance;
        this.requestCopies = new RequestCopies(store, cache, acks);
        ChatLocks locks = new ChatLocks(redis, groups);
        ChatLoad load = new ChatLoad(store, cache, state, locks, window);
        this.warmer = new ChatWarmer(load, cache);
        // why the count only for a window that might not fit: a COUNT grows with the chat
        long fits = budgetBytes == 0 ? Long.MAX_VALUE : budgetBytes / CacheBudget.BYTES_PER_MESSAGE;
        this.budget = new CacheBudget(clock, budgetBytes, held, cache, locks,
                new Lease(redis, "chatcache:lease:evict", instance, EVICT_LEASE_MILLIS), warmer,
                chat -> window > 0 && window <= fits ? window
                        : Math.min(store.count(java.util.Optional.of(chat)), window == 0 ? Long.MAX_VALUE : window));
        this.chatCopies = new ChatCopies(chatStore, chatReplica, acks, load);
        this.relay = new CacheRelay(store, cache, acks, clock, relays.outboxIntervalMillis(), relays.outboxGraceMillis(), ids -> {
            chatCopies.copy(ids);
            chatsCopied.accept(ids);
        }, replicas(redis, groups, replicas), batches);
        this.readMarks = new ReadMarkRelay(redis, groups, replicas, instance, mysqlMarks, markersToMysql,
                relays.readMarkGatherMillis(), relays.readMarkClaimMillis(), batches);
        this.rebuild = new CacheRebuild(store, cache, state, prepareRedis, chatCopies,
                new Lease(redis, "chatcache:lease:rebuild", instance, REBUILD_LEASE_MILLIS), load,
                () -> budget.reached());
        this.guard = new CacheGuard(state, rebuild);
    }

    /**
     * The relay's view of Redis's replicas: a Sentinel's primary's, or on a cluster those of every
     * group's primary, confirmed group by group (each on its slot's node, by a barrier key of that
     * slot, whose INCR is what WAIT then confirms); the primaries' ids joined, so that a failover
     * of any of them changes the answer and the relay copies again what it cannot tell was kept.
     */
    private static CacheRelay.Replicas replicas(Redis redis, ChatGroups groups, ReplicaWait wait) {
        if (!wait.waits()) {
            return CacheRelay.Replicas.NONE;
        }
        return new CacheRelay.Replicas() {
            @Override
            public boolean waits() {
                return true;
            }

            @Override
            public String primary() {
                return String.join(",", redis.eachOwner(groups.all(), KeySpace::route, "name its primaries",
                        (jedis, inReach) -> wait.primaryId(jedis)));
            }

            @Override
            public String confirm() {
                return String.join(",", redis.eachOwner(groups.all(), KeySpace::route, "confirm the copies reached the replicas",
                        (jedis, inReach) -> wait.require(jedis, inReach.get(0).barrier(), "copy to enough replicas")));
            }
        };
    }

    /** Starts the relays (both directions) and the guard that rebuilds a lost copy. */
    public void start() {
        readMarks.start();
        relay.start();
        guard.start();
        budget.start();
    }

    public Instance instance() {
        return instance;
    }

    /** Copies made by requests, right after their commit. */
    public RequestCopies requestCopies() {
        return requestCopies;
    }

    /** Where requests acknowledge outbox entries Redis received. */
    public OutboxAcks acks() {
        return acks;
    }

    /** Keeps Redis within its memory budget; where the Redis route reports the chats it reads. */
    public CacheBudget budget() {
        return budget;
    }

    /** Loads chats readers found Redis not holding. */
    public ChatWarmer warmer() {
        return warmer;
    }

    public ChatCopies chatCopies() {
        return chatCopies;
    }

    /** MySQL to Redis: the outbox relay. */
    public CacheRelay relay() {
        return relay;
    }

    /** Redis to MySQL: the read-mark relay. */
    public ReadMarkRelay readMarks() {
        return readMarks;
    }

    public CacheRebuild rebuild() {
        return rebuild;
    }

    /**
     * Stops the background work and hands nothing unfinished to other instances, as far as the
     * stores allow: outbox rows of changes this instance copied are deleted, read marks still in
     * the stream are applied.
     */
    @Override
    public void close() {
        budget.close();
        warmer.close();
        guard.close();
        relay.close();
        try {
            relay.flush();
        } catch (RuntimeException e) {
            log.warn("outbox rows left for the other instances' relays: {}", ExceptionText.summary(e));
        }
        readMarks.close();
    }
}
