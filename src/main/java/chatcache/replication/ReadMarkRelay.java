package chatcache.replication;

import chatcache.background.Repeater;
import chatcache.chat.ReadMarker;
import chatcache.logging.ExceptionText;
import chatcache.message.ReadMarkReplica;
import chatcache.query.OrderKey;
import chatcache.redis.ChatGroups;
import chatcache.redis.KeySpace;
import chatcache.redis.ReadMarkLog;
import chatcache.rediskit.Redis;
import chatcache.rediskit.ReplicaWait;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.XAutoClaimParams;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.resps.StreamConsumersInfo;
import redis.clients.jedis.resps.StreamEntry;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Carries read marks made on the Redis path to MySQL. The marks are appended to a Redis stream (one
 * per group of chats) in the same Lua call that sets them; a consumer group reads the stream, applies a batch to MySQL
 * in one transaction, and acknowledges (and deletes) the entries only after that commit, so a
 * crash re-delivers instead of losing marks, and re-applying a mark is harmless.
 */
public final class ReadMarkRelay implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReadMarkRelay.class);
    static final String GROUP = ReadMarkLog.RELAY_GROUP;
    private static final String IDS = ReadMarkLog.IDS;
    /**
     * Entries another consumer took this long ago without acknowledging them are taken over: that
     * instance died (kill -9, a lost host) or lost its stores mid-batch. A live one acknowledges
     * within about its gather time plus a MySQL transaction. 10 s by default.
     */
    private final long claimIdleMillis;
    /** A consumer with nothing pending, silent this long, is an instance that is gone: removed from the group. */
    private static final long FORGET_IDLE_MILLIS = 60_000;
    /** Entries per MySQL transaction; each entry holds the marks of one fetch (at most 100). */
    private static final int BATCH_ENTRIES = 100;
    private static final int BLOCK_MILLIS = 200;
    /** How long a batch of new marks may gather before it is applied. */
    private final long gatherMillis;
    /** A batch that holds this many marks is applied at once. */
    private static final int MARKS_PER_STATEMENT = 100;

    private static final String MARKER = ReadMarkLog.MARKER;

    private final Redis redis;
    /** The streams, one per group of chats (one on one Redis). */
    private final List<String> streams;
    /** Each stream's group's barrier key: what confirms on its primary that the marks reached the replicas. */
    private final Map<String, String> barrierOf;
    /** This instance's consumer name in the group: each instance reads its own share of the stream. */
    private final String consumer;
    private final ReadMarkReplica mysql;
    private final java.util.function.Consumer<Collection<ReadMarker>> markersToMysql;
    private final Repeater worker = new Repeater("read-mark-relay", () -> relayOnce(BLOCK_MILLIS), 0);
    private final RelayBatches batches;
    /**
     * The replicas the marks must be on before MySQL applies them: a replica promoted without
     * marks that MySQL applied would show them unread while MySQL shows them read.
     */
    private final ReplicaWait replicas;

    /**
     * @param markersToMysql applies members' read markers moved in Redis to MySQL (entries
     *                       {@code marker = chat:user:sortKey}, written by {@link RedisChats})
     * @param batches        told how many marks each applied batch held
     */
    public ReadMarkRelay(Redis redis, ChatGroups groups, ReplicaWait replicas, Instance instance, ReadMarkReplica mysql,
                         java.util.function.Consumer<Collection<ReadMarker>> markersToMysql,
                         long gatherMillis, long claimIdleMillis, RelayBatches batches) {
        this.redis = redis;
        this.streams = groups.all().stream().map(KeySpace::readMarks).toList();
        this.barrierOf = groups.all().stream().collect(java.util.stream.Collectors.toMap(KeySpace::readMarks, KeySpace::barrier));
        this.replicas = replicas;
        this.gatherMillis = gatherMillis;
        this.claimIdleMillis = claimIdleMillis;
        this.batches = batches;
        this.consumer = instance.name();
        this.mysql = mysql;
        this.markersToMysql = markersToMysql;
    }

    /** Creates the streams and their consumer groups if missing (idempotent). */
    public void prepare() {
        redis.eachOwner(streams, stream -> stream, "create the read-mark stream's group", (jedis, inReach) -> {
            for (String stream : inReach) {
                try {
                    jedis.xgroupCreate(stream, GROUP, new StreamEntryID(), true);
                } catch (JedisDataException e) {
                    if (!String.valueOf(e.getMessage()).startsWith("BUSYGROUP")) {
                        throw e;
                    }
                }
            }
            return null;
        });
    }

    /** Read-mark batches in the streams that MySQL has not taken yet. */
    public long backlog() {
        return redis.eachOwner(streams, stream -> stream, "read the read-mark backlog", (jedis, inReach) -> {
            Pipeline p = jedis.pipelined();
            List<Response<Long>> lengths = inReach.stream().map(p::xlen).toList();
            p.sync();
            return lengths.stream().mapToLong(Response::get).sum();
        }).stream().mapToLong(Long::longValue).sum();
    }

    /**
     * When the oldest entry still in the stream was added (epoch milliseconds: the millisecond
     * part of its id), or null when the stream is empty. why the id: Redis makes it from its clock
     * at XADD, and entries leave the stream once applied, so the first one is the oldest waiting.
     */
    public Long oldestMillis() {
        return redis.eachOwner(streams, stream -> stream, "read the read-mark backlog", (jedis, inReach) -> {
            Pipeline p = jedis.pipelined();
            List<Response<List<StreamEntry>>> firsts = inReach.stream().map(s -> p.xrange(s, "-", "+", 1)).toList();
            p.sync();
            Long oldest = null;
            for (Response<List<StreamEntry>> first : firsts) {
                List<StreamEntry> entry = first.get();
                if (entry != null && !entry.isEmpty() && (oldest == null || entry.get(0).getID().getTime() < oldest)) {
                    oldest = entry.get(0).getID().getTime();
                }
            }
            return oldest;
        }).stream().filter(java.util.Objects::nonNull).min(Long::compare).orElse(null);
    }

    /** Starts relaying in the background; marks reach MySQL at most about the gather time (300 ms by default) after EXEC. */
    public void start() {
        worker.start();
    }

    /**
     * Applies everything in the stream now, synchronously, and returns how many marks it applied.
     * The background relay does the same; tests and shutdown call this to be sure.
     */
    public synchronized int drain() {
        int applied = 0;
        int n;
        while ((n = relayOnce(0)) > 0) {
            applied += n;
        }
        return applied;
    }

    /**
     * Re-delivers this consumer's unacknowledged entries first, then those a gone instance left
     * (idle the claim time), then new ones. When waiting is allowed, a batch of new
     * entries is gathered for up to the gather time (300 ms by default) or until it holds
     * {@value #MARKS_PER_STATEMENT} marks, so that under load MySQL gets one UPDATE per hundred
     * marks or more, not one per fetch.
     */
    private synchronized int relayOnce(int blockMillis) {
        boolean forget = forgetDue();
        if (streams.size() == 1) {
            return redis.call(streams.get(0), RELAY, jedis -> relayOn(jedis, streams, blockMillis, forget));
        }
        int applied = redis.eachOwner(streams, stream -> stream, RELAY, (jedis, inReach) -> relayOn(jedis, inReach, 0, forget))
                .stream().mapToInt(Integer::intValue).sum();
        if (applied > 0 || blockMillis <= 0) {
            return applied;
        }
        // all empty: a wait on one stream, a different one each round; entries of the others are
        // read by the next round, at most the wait later (marks reach MySQL after a gather time
        // of 300 ms anyway)
        String stream = streams.get(Math.floorMod(waitOn++, streams.size()));
        return redis.call(stream, RELAY, jedis -> relayOn(jedis, List.of(stream), blockMillis, false));
    }

    private static final String RELAY = "relay read marks";

    /** One round over the streams this connection reaches: waits only with one stream. */
    private int relayOn(Jedis jedis, List<String> inReach, int blockMillis, boolean forget) {
        if (forget) {
            forgetGoneConsumers(jedis, inReach);
        }
        Entries entries = read(jedis, inReach, new StreamEntryID(), 0);
        if (entries.isEmpty()) {
            entries = claimAbandoned(jedis, inReach);
        }
        if (entries.isEmpty()) {
            entries = read(jedis, inReach, StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY, blockMillis);
            long until = System.nanoTime() + gatherMillis * 1_000_000L;
            while (blockMillis > 0 && !entries.isEmpty() && entries.ids().size() < MARKS_PER_STATEMENT) {
                long left = (until - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    break;
                }
                entries.addAll(read(jedis, inReach, StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY, (int) left));
            }
        }
        if (entries.isEmpty()) {
            return 0;
        }
        Set<Long> ids = entries.ids();
        // why throwing: the entries stay pending, and are applied by a later round
        replicas.require(jedis, barrierOf.get(inReach.get(0)), "keep read marks on enough replicas");
        mysql.applyReadMarks(ids);
        List<ReadMarker> markers = markers(entries.all());
        if (!markers.isEmpty()) {
            markersToMysql.accept(markers);
        }
        entries.byStream.forEach((stream, list) -> {
            StreamEntryID[] done = list.stream().map(StreamEntry::getID).toArray(StreamEntryID[]::new);
            jedis.xack(stream, GROUP, done);
            jedis.xdel(stream, done);
        });
        batches.readMarks(ids.size());
        return Math.max(1, ids.size());
    }

    /**
     * Takes over a batch of entries that another consumer was handed and never acknowledged
     * (XAUTOCLAIM, Redis 6.2+): its instance died between reading and acknowledging. Applying
     * them again is harmless if it had in fact reached MySQL.
     */
    private Entries claimAbandoned(Jedis jedis, List<String> inReach) {
        Pipeline p = jedis.pipelined();
        Map<String, Response<Map.Entry<StreamEntryID, List<StreamEntry>>>> replies = new LinkedHashMap<>();
        for (String stream : inReach) {
            replies.put(stream, p.xautoclaim(stream, GROUP, consumer, claimIdleMillis, new StreamEntryID(),
                    XAutoClaimParams.xAutoClaimParams().count(BATCH_ENTRIES)));
        }
        p.sync();
        Entries entries = new Entries();
        replies.forEach((stream, reply) -> {
            Map.Entry<StreamEntryID, List<StreamEntry>> claimed = reply.get();
            if (claimed != null && claimed.getValue() != null && !claimed.getValue().isEmpty()) {
                log.info("took over {} read-mark entries another instance left unacknowledged", claimed.getValue().size());
                entries.add(stream, claimed.getValue());
            }
        });
        return entries;
    }

    private long lastForget;

    /** Whether it is time for {@link #forgetGoneConsumers} (twice a minute). */
    private boolean forgetDue() {
        long now = System.nanoTime();
        if (now - lastForget < 30_000_000_000L && lastForget != 0) {
            return false;
        }
        lastForget = now;
        return true;
    }

    /**
     * Removes consumers of gone instances (nothing pending, silent for {@value #FORGET_IDLE_MILLIS}
     * ms), so that the group does not grow by one consumer per restart; checked twice a minute.
     */
    private void forgetGoneConsumers(Jedis jedis, List<String> inReach) {
        for (String stream : inReach) {
            for (StreamConsumersInfo c : jedis.xinfoConsumers(stream, GROUP)) {
                if (!c.getName().equals(consumer) && c.getPending() == 0 && c.getIdle() > FORGET_IDLE_MILLIS) {
                    jedis.xgroupDelConsumer(stream, GROUP, c.getName());
                }
            }
        }
    }

    private static List<ReadMarker> markers(List<StreamEntry> entries) {
        List<ReadMarker> markers = new ArrayList<>();
        for (StreamEntry entry : entries) {
            String marker = entry.getFields() == null ? null : entry.getFields().get(MARKER);
            if (marker != null) {
                String[] parts = marker.split(":", 3);
                markers.add(new ReadMarker(Long.parseLong(parts[0]), Long.parseLong(parts[1]),
                        OrderKey.ofSortKey(parts[2])));
            }
        }
        return markers;
    }

    /** Entries read, by the stream they came from (each is acknowledged in its own). */
    private static final class Entries {
        final Map<String, List<StreamEntry>> byStream = new LinkedHashMap<>();

        void add(String stream, List<StreamEntry> entries) {
            if (!entries.isEmpty()) {
                byStream.computeIfAbsent(stream, s -> new ArrayList<>()).addAll(entries);
            }
        }

        void addAll(Entries more) {
            more.byStream.forEach(this::add);
        }

        boolean isEmpty() {
            return byStream.isEmpty();
        }

        List<StreamEntry> all() {
            return byStream.values().stream().flatMap(List::stream).toList();
        }

        /** The message ids the entries list as marked. */
        Set<Long> ids() {
            Set<Long> ids = new LinkedHashSet<>();
            for (StreamEntry entry : all()) {
                Map<String, String> fields = entry.getFields() == null ? Map.of() : entry.getFields();
                for (String id : fields.getOrDefault(IDS, "").split(",")) {
                    if (!id.isEmpty()) {
                        ids.add(Long.parseLong(id));
                    }
                }
            }
            return ids;
        }
    }

    /** The stream the next wait of several groups' relay blocks on (see {@link #read}). */
    private int waitOn;

    /**
     * Up to {@value #BATCH_ENTRIES} entries of each stream. One stream: one XREADGROUP that waits up
     * to {@code blockMillis} when there are none. Several: one XREADGROUP per stream (a command
     * may only name keys of one slot on a Redis Cluster, and each group is one), pipelined,
     * without waiting.
     */
    private Entries read(Jedis jedis, List<String> inReach, StreamEntryID from, int blockMillis) {
        Entries entries = new Entries();
        if (inReach.size() == 1) {
            readInto(entries, readGroup(jedis, inReach.get(0), from, blockMillis));
            return entries;
        }
        Pipeline p = jedis.pipelined();
        List<Response<List<Map.Entry<String, List<StreamEntry>>>>> replies = inReach.stream()
                .map(s -> p.xreadGroup(GROUP, consumer, XReadGroupParams.xReadGroupParams().count(BATCH_ENTRIES), Map.of(s, from)))
                .toList();
        p.sync();
        replies.forEach(reply -> readInto(entries, reply.get()));
        return entries;
    }

    private List<Map.Entry<String, List<StreamEntry>>> readGroup(Jedis jedis, String stream, StreamEntryID from, int blockMillis) {
        XReadGroupParams params = XReadGroupParams.xReadGroupParams().count(BATCH_ENTRIES);
        if (blockMillis > 0) {
            params.block(blockMillis);
        }
        return jedis.xreadGroup(GROUP, consumer, params, Map.of(stream, from));
    }

    private static void readInto(Entries entries, List<Map.Entry<String, List<StreamEntry>>> reply) {
        if (reply != null) {
            for (Map.Entry<String, List<StreamEntry>> stream : reply) {
                entries.add(stream.getKey(), stream.getValue());
            }
        }
    }

    /** Stops the background relay and applies what is left, if the stores allow. */
    @Override
    public void close() {
        worker.close();
        try {
            drain();
        } catch (RuntimeException e) {
            log.warn("read marks left in the stream for the next start: {}", ExceptionText.summary(e));
        }
    }
}
