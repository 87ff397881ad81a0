package chatcache.redis;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamEntry;
import chatcache.rediskit.Redis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.util.SafeEncoder;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * idx:messages (one index per group of chats: {@link KeySpace#index}) and the RediSearch module behind it. Knows the two generations apart:
 * 1.x indexes a hash only when told (FT.ADDHASH), 2.x and later index hashes by key prefix.
 */
public final class SearchIndex {
    private static final Logger log = LoggerFactory.getLogger(SearchIndex.class);
    private static final String SCHEMA_RESOURCE = "/schema/redisearch.schema";
    /** Longest a query may run before RediSearch fails it; we never accept a partial answer. */
    static final int QUERY_TIMEOUT_MILLIS = 2_000;

    private final int moduleVersion;

    private SearchIndex(int moduleVersion) {
        this.moduleVersion = moduleVersion;
    }

    /**
     * Finds the module, makes sure a timed-out query fails instead of answering partially, and
     * creates the index if it is missing.
     */
    public static SearchIndex prepare(Redis redis, ChatGroups groups) {
        String what = "prepare the search index";
        List<Integer> versions = redis.onEveryPrimary(what, jedis -> {
            ModuleInfo module = ModuleInfo.find(jedis);
            requireNoEviction(jedis);
            new SearchIndex(module.version()).requireFailOnTimeout(jedis, module);
            warnIfNotCompact(jedis);
            return module.version();
        });
        if (versions.stream().distinct().count() != 1) {
            throw new IllegalStateException("Redis's primaries run different RediSearch versions " + versions
                    + ": chatcache needs one (its index layout and queries depend on it)");
        }
        SearchIndex index = new SearchIndex(versions.get(0));
        index.replaceOtherLayout(redis, groups);
        List<KeySpace> marked = new ArrayList<>();
        for (KeySpace keys : groups.all()) {
            if (redis.call(keys.route(), what, jedis -> index.createMarked(jedis, keys))) {
                marked.add(keys);
            }
        }
        // why only these: a mark another instance set is removed by the reads that find it
        for (KeySpace keys : marked) {
            index.awaitBuilt(redis, keys);
        }
        return index;
    }

    /**
     * Creates the group's index unless its node has it. On 2.x an index created over hashes
     * already there (a slot moved here, an index dropped by hand) indexes them in the background,
     * and searches meanwhile find only part of them: so the group's {@link KeySpace#indexing} mark
     * is set first, and searches that find it are not answered from Redis ({@link #building}).
     * 1.x indexes nothing on its own: a lost 1.x index is found by the completeness checks instead.
     */
    private boolean createMarked(Jedis jedis, KeySpace keys) {
        return createUnlessThere(jedis, keys, () -> { }, () -> true);
    }

    /**
     * Creates the group's index on the node that imports the group's slot, before any of its keys
     * arrive, each command after ASKING (see {@code RedisCluster#moveSlot}): the index takes each
     * key as it arrives (MIGRATE restores it there, and 2.x indexes a restored hash at once), so
     * it is whole when the move ends, even while its creation's background scan of the node's
     * other keys still runs (measured: FT.INFO indexing 1, every moved hash a document). Only if
     * the node already holds keys of the slot (left by an earlier move) is the mark set, to be
     * removed once that scan is done. A node that has the index (it owned the slot before) keeps it.
     */
    public void createImporting(Jedis target, KeySpace keys, int slot) {
        createUnlessThere(target, keys, target::asking, () -> target.clusterCountKeysInSlot(slot) > 0);
    }

    /**
     * The index, created unless the node has it, the mark set first (2.x) when {@code mark} says
     * so; {@code beforeEach} runs before each command. Returns whether it set the mark.
     */
    private boolean createUnlessThere(Jedis jedis, KeySpace keys, Runnable beforeEach, java.util.function.BooleanSupplier mark) {
        beforeEach.run();
        if (exists(jedis, keys)) {
            return false;
        }
        boolean marking = !indexesExplicitly() && mark.getAsBoolean();
        if (marking) {
            beforeEach.run();
            jedis.set(keys.indexing(), java.time.Instant.now().toString());
        }
        beforeEach.run();
        create(jedis, keys);
        return marking;
    }

    /** Waits (at start) until the group's index is built, so that the first pages are Redis's; logs progress. */
    private void awaitBuilt(Redis redis, KeySpace keys) {
        long started = System.nanoTime();
        long logged = started;
        while (redis.call(keys.route(), "build the search index", jedis -> jedis.exists(keys.indexing()) && !settled(jedis, keys))) {
            if (System.nanoTime() - logged > 5_000_000_000L) {
                logged = System.nanoTime();
                log.info("building {} over the hashes its node holds: {} s so far (its pages are MySQL's meanwhile)",
                        keys.index(), (logged - started) / 1_000_000_000L);
            }
            try {
                Thread.sleep(BUILD_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return; // the mark stays: reads settle it
            }
        }
    }

    /** How often a build is looked at while someone waits for it. */
    private static final long BUILD_POLL_MILLIS = 50;

    /**
     * A search of the group found its {@link KeySpace#indexing} mark, or no index on the node that
     * owns the group's slot (after a slot moved: an index stays on its node, in memory only): a
     * search there is short or fails, so the caller answers from MySQL. Builds the index if it is
     * missing, and at most every {@value #BUILD_POLL_MILLIS} ms a group asks its node whether the
     * build is done, removing the mark then (FT.INFO indexing 0): later searches are Redis's again.
     */
    void building(Jedis jedis, KeySpace keys, boolean missing) {
        if (missing) {
            if (indexesExplicitly()) {
                return; // 1.x: see createMarked
            }
            log.info("{} is missing on the node of its slot (the slot moved, or the index was dropped): building it;"
                    + " the group's filtered pages are MySQL's until it is built", keys.index());
            createMarked(jedis, keys);
        }
        long now = System.nanoTime();
        Long due = nextLook.get(keys.index());
        if (due != null && now - due < 0) {
            return;
        }
        nextLook.put(keys.index(), now + BUILD_POLL_MILLIS * 1_000_000);
        settled(jedis, keys);
    }

    /** When each group's build may next be looked at (one entry per group, at most 1,024). */
    private final java.util.concurrent.ConcurrentHashMap<String, Long> nextLook = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Whether the group's index is built; removes its mark if so. why the mark goes only after
     * FT.INFO says so: once built, an index stays whole (every later write is indexed as it
     * happens), so no search after the mark's removal can be short.
     */
    private boolean settled(Jedis jedis, KeySpace keys) {
        List<?> info;
        try {
            info = (List<?>) jedis.sendCommand(SearchCommand.INFO, keys.index());
        } catch (JedisDataException e) {
            if (isMissing(e)) {
                create(jedis, keys); // the mark is there, the index not (dropped meanwhile)
                return false;
            }
            throw e;
        }
        for (int i = 0; i + 1 < info.size(); i += 2) {
            if ("indexing".equals(text(info.get(i))) && !"0".equals(text(info.get(i + 1)))) {
                return false;
            }
        }
        jedis.del(keys.indexing());
        return true;
    }

    private static String text(Object value) {
        return value instanceof byte[] bytes ? SafeEncoder.encode(bytes) : String.valueOf(value);
    }

    /** Whether the error says the index does not exist on this node (2.10: "No such index", older 2.x: "Unknown index name"). */
    static boolean isMissing(JedisDataException e) {
        String message = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        return message.contains("no such index") || message.contains("unknown index");
    }

    /** Where Redis records the layout of chatcache's keys that it holds. */
    static final String LAYOUT_KEY = "chatcache:layout";
    /**
     * 6: a window per chat: {@code held:<chat>} says Redis holds the chat's messages from its boundary up.
     * 5: each user's set of chats, per-bucket counts in the order index (read markers).
     * 4: chats and members.
     * 3: hashes also hold their words, and read and words are indexed (filters in FT.SEARCH).
     * 2: order index in buckets of 19-character sort keys, no sort field in hashes or index.
     * (1, never recorded: one sorted set per list of 32-digit keys, and a sortable "sk".)
     */
    static final String LAYOUT = "6";

    /**
     * The layout value of these groups: {@link #LAYOUT} alone for one group (as before groups
     * existed, so that a standalone cache stays readable), else with the count, since a chat's
     * group follows from it ({@link ChatGroups#of(long)}).
     */
    static String layoutOf(ChatGroups groups) {
        return groups.tagged() ? LAYOUT + GROUPS + groups.count() : LAYOUT;
    }

    private static final String GROUPS = " groups=";

    /** The groups a recorded layout was written with (one before groups existed). */
    static ChatGroups groupsOf(String layout) {
        int at = layout == null ? -1 : layout.indexOf(GROUPS);
        if (at < 0) {
            return ChatGroups.standalone();
        }
        try {
            return ChatGroups.tagged(Integer.parseInt(layout.substring(at + GROUPS.length()).strip()));
        } catch (IllegalArgumentException e) { // not ours: what could be dropped of it is one Redis's names
            log.warn("{} holds '{}', not a layout chatcache writes: dropping what it would name on one Redis", LAYOUT_KEY, layout);
            return ChatGroups.standalone();
        }
    }

    /**
     * A cache written by an older version, or over another count of groups, cannot be read by
     * this one: it is dropped (index, hashes, order lists, chats' event streams, completeness) and
     * rebuilt from MySQL like a lost cache; the new epoch (completeness) tells subscribers to
     * reload. The read-mark streams are kept (moved to a stream the relay now reads, if theirs is
     * no longer one): they hold marks MySQL may not have yet. A Redis without the index (new, or
     * flushed) has nothing to drop.
     */
    private void replaceOtherLayout(Redis redis, ChatGroups groups) {
        String what = "replace another layout";
        String layout = redis.call(LAYOUT_KEY, what, jedis -> jedis.get(LAYOUT_KEY));
        if (layoutOf(groups).equals(layout)) {
            return;
        }
        ChatGroups old = groupsOf(layout);
        if (!old.all().equals(groups.all())) {
            refuseWhileInUse(redis, old, groups);
        }
        for (KeySpace keys : old.all()) {
            // why a group at a time on its route: a group's keys are in one slot, one node's
            redis.run(keys.route(), what, jedis -> drop(jedis, keys, layout));
        }
        keepReadMarks(redis, old, groups);
        String tokens = RedisTokens.hashOf(old);
        if (!tokens.equals(RedisTokens.hashOf(groups))) { // copied again from MySQL under the new names
            for (String key : List.of(tokens, tokens + ":upto", tokens + ":copying", tokens + ":revoked")) {
                redis.run(key, what, jedis -> jedis.del(key)); // why one by one: without a tag the four are four slots
            }
        }
        redis.run(LAYOUT_KEY, what, jedis -> jedis.set(LAYOUT_KEY, layoutOf(groups)));
    }

    /** Drops what a group of the old layout holds, if it holds an index. */
    private void drop(Jedis jedis, KeySpace keys, String layout) {
        if (!exists(jedis, keys)) {
            return;
        }
        log.warn("Redis holds a chatcache cache of layout {} ({}); this version reads layout {}: dropping it,"
                + " it is rebuilt from MySQL (readers are answered from MySQL meanwhile)", layout == null ? "1" : layout, keys, LAYOUT);
        if (indexesExplicitly()) {
            jedis.sendCommand(SearchCommand.DROP, keys.index()); // 1.x: deletes the indexed hashes too
        } else {
            jedis.sendCommand(SearchCommand.DROPINDEX, keys.index(), "DD");
        }
        unlinkAll(jedis, OrderIndex.keyPattern(keys));
        unlinkAll(jedis, keys.messagePrefix() + "*");
        unlinkAll(jedis, keys.chatPrefix() + "*");
        unlinkAll(jedis, keys.userChatsPrefix() + "*");
        unlinkAll(jedis, keys.eventsPrefix() + "*");
        unlinkAll(jedis, keys.heldPrefix() + "*");
        // why versions too: the chats of a group are others under another count; a version
        // is a time stamp (append-event.lua), so one written again never goes back
        unlinkAll(jedis, keys.versionPrefix() + "*");
        unlinkAll(jedis, keys.belowEpochPrefix() + "*");
        jedis.del(keys.complete(), keys.rebuilding(), keys.loading(), keys.chatReads(), keys.followed(), keys.indexing());
    }

    /** A relay that read its stream this recently belongs to an instance still running. */
    static final long LIVE_RELAY_MILLIS = 10_000;

    /**
     * Refuses to replace a layout of another count of groups while an instance still uses it: a
     * relay read one of its read-mark streams that this count does not read, in the last
     * {@value #LIVE_RELAY_MILLIS} ms (a relay reads every ~200 ms). why: the two would drop each
     * other's cache at every rebuild, and marks that instance appends to a stream this count no
     * longer reads would wait there for good. Limit: an instance over fewer groups (2 against 4)
     * reads only streams this count reads too, and is not told from this count's own instances.
     */
    private static void refuseWhileInUse(Redis redis, ChatGroups old, ChatGroups now) {
        java.util.Set<String> read = new java.util.HashSet<>();
        now.all().forEach(keys -> read.add(keys.readMarks()));
        for (KeySpace keys : old.all()) {
            if (read.contains(keys.readMarks())) {
                continue;
            }
            List<redis.clients.jedis.resps.StreamConsumersInfo> consumers = redis.call(keys.route(), "read who relays read marks", jedis -> {
                try {
                    return jedis.xinfoConsumers(keys.readMarks(), ReadMarkLog.RELAY_GROUP);
                } catch (JedisDataException e) { // no such stream, or no relay's group on it
                    return List.of();
                }
            });
            for (redis.clients.jedis.resps.StreamConsumersInfo c : consumers) {
                if (c.getIdle() < LIVE_RELAY_MILLIS) {
                    throw new IllegalStateException("another instance (" + c.getName() + ") uses this Redis with"
                            + " CHATCACHE_REDIS_INDEX_GROUPS=" + old.count() + " (its read-mark relay read " + c.getIdle()
                            + " ms ago), this one with " + now.count() + ": every instance must use the same count;"
                            + " stop them all, then start them with the new one");
                }
            }
        }
    }

    /** Moves the entries of read-mark streams the relay no longer reads into one it reads, then drops them. */
    private static void keepReadMarks(Redis redis, ChatGroups old, ChatGroups now) {
        java.util.Set<String> read = new java.util.HashSet<>();
        now.all().forEach(keys -> read.add(keys.readMarks()));
        KeySpace intoGroup = now.all().get(0);
        String into = intoGroup.readMarks();
        String what = "move read marks to a stream still read";
        for (KeySpace keys : old.all()) {
            String stream = keys.readMarks();
            if (read.contains(stream)) {
                continue;
            }
            List<StreamEntry> page;
            long moved = 0;
            // why each entry deleted once copied, not the stream: an instance still running with
            // the old count may append meanwhile; its entries stay for its relay. Why an entry at
            // a time over two routes: the two streams may be in two slots (a cluster's two nodes)
            while (!(page = redis.call(keys.route(), what, jedis -> jedis.xrange(stream, "-", "+", 1000))).isEmpty()) {
                for (StreamEntry e : page) {
                    redis.run(intoGroup.route(), what, jedis -> jedis.xadd(into, StreamEntryID.NEW_ENTRY, e.getFields()));
                    redis.run(keys.route(), what, jedis -> jedis.xdel(stream, e.getID()));
                }
                moved += page.size();
            }
            redis.run(keys.route(), what, jedis -> {
                if (jedis.xlen(stream) == 0) {
                    jedis.del(stream);
                }
            });
            if (moved > 0) {
                log.info("moved {} read-mark entries from {} to {}", moved, stream, into);
            }
        }
    }

    private static boolean exists(Jedis jedis, KeySpace keys) {
        try {
            jedis.sendCommand(SearchCommand.INFO, keys.index());
            return true;
        } catch (JedisDataException e) {
            return false;
        }
    }

    private static void unlinkAll(Jedis jedis, String pattern) {
        ScanParams params = new ScanParams().match(pattern).count(1000);
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> page = jedis.scan(cursor, params);
            if (!page.getResult().isEmpty()) {
                jedis.unlink(page.getResult().toArray(String[]::new));
            }
            cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    }

    /**
     * chatcache alone may decide what Redis drops. why: Redis's own eviction picks single keys, and
     * on RediSearch 1.2 the key it drops can be the index itself; on any engine a dropped hash or
     * order-index bucket leaves a page short, which the completeness checks cannot see. So Redis
     * must run with {@code maxmemory-policy noeviction} (its default): then a full Redis refuses
     * writes, which the outbox and the read-mark stream retry, and reads fall back to MySQL.
     */
    static void requireNoEviction(Jedis jedis) {
        String policy = evictionPolicy(jedis);
        if (policy == null) {
            log.warn("cannot read Redis's maxmemory-policy (CONFIG GET and INFO refused): chatcache needs noeviction"
                    + " (see README, Production)");
        } else if (!policy.equalsIgnoreCase(NO_EVICTION)) {
            throw new IllegalStateException("Redis runs with maxmemory-policy " + policy + ", which lets Redis drop keys of"
                    + " the cache on its own (on RediSearch 1.2 the index itself, on any engine one message of a page);"
                    + " chatcache needs maxmemory-policy noeviction: set it in redis.conf or with"
                    + " CONFIG SET maxmemory-policy noeviction (see README, Production)");
        }
    }

    private static final String NO_EVICTION = "noeviction";

    /** Redis's maxmemory-policy: CONFIG GET, else INFO memory (some managed services refuse CONFIG); null if both are refused. */
    private static String evictionPolicy(Jedis jedis) {
        try {
            String value = jedis.configGet("maxmemory-policy").get("maxmemory-policy");
            if (value != null) {
                return value;
            }
        } catch (JedisDataException e) {
            // refused (NOPERM, or a renamed CONFIG): ask INFO
        }
        try {
            for (String line : jedis.info("memory").split("\r?\n")) {
                if (line.startsWith("maxmemory_policy:")) {
                    return line.substring("maxmemory_policy:".length()).trim();
                }
            }
        } catch (JedisDataException e) {
            // refused too
        }
        return null;
    }

    /** Hashes longer than this are stored as hash tables, about 2.5 times the memory of a listpack. */
    private static final int COMPACT_HASH_VALUE_BYTES = 1024;

    private static void warnIfNotCompact(Jedis jedis) {
        try {
            Map<String, String> setting = jedis.configGet("hash-max-listpack-value");
            String value = setting.getOrDefault("hash-max-listpack-value", "");
            if (!value.isEmpty() && Integer.parseInt(value) < COMPACT_HASH_VALUE_BYTES) {
                log.warn("Redis has hash-max-listpack-value {}: messages longer than that take ~2.5x the memory;"
                        + " set it to 8192 (see README, Memory)", value);
            }
            String entries = jedis.configGet("zset-max-listpack-entries").getOrDefault("zset-max-listpack-entries", "");
            if (!entries.isEmpty() && Integer.parseInt(entries) < OrderIndex.DEFAULT_BUCKET_SIZE) {
                log.warn("Redis has zset-max-listpack-entries {}: order-index buckets of {} keys become skiplists,"
                        + " ~5x the memory; set it to {} or more (see README, Memory)", entries,
                        OrderIndex.DEFAULT_BUCKET_SIZE, OrderIndex.DEFAULT_BUCKET_SIZE);
            }
        } catch (RuntimeException e) {
            // why: managed Redis services often refuse CONFIG; this is advice, not a requirement
        }
    }

    /**
     * Whether this engine may hold windows of chats and evict them (RediSearch 2.x). why not 1.x:
     * measured (BENCHMARKS.md, run N), after ~100,000 FT.DELs RediSearch 1.2's TAG intersections
     * lose live documents of other chats for good (its counters overflow), so filtered pages would
     * miss matches; a window deletes a document at every post beyond it, and an eviction a chat's.
     */
    public boolean supportsWindows() {
        return !indexesExplicitly();
    }

    /** True for RediSearch 1.x, where every write must index its hash explicitly. */
    boolean indexesExplicitly() {
        return moduleVersion < 20000;
    }

    /**
     * Whether the index holds each message's current read state. 2.x re-indexes a hash on HSET.
     * 1.x is not told about marks: re-indexing a document (FT.ADDHASH ... REPLACE) leaves its old
     * entries until the module's garbage collector removes them, and until then 1.2 intersections
     * miss documents (measured: 3,000 messages re-indexed 12 times each, {@code @chatId:{1}
     * @read:{1}} found 400 of 1,500 while {@code @read:{1}} alone found all; after the collector
     * ran, 1,500), so marks, the commonest write, would break queries. On 1.x the index holds the
     * read state a message had when it was last written: "unread" there is a superset of the
     * truth (a read mark is never undone), and each candidate's state is taken from its hash.
     */
    boolean holdsReadState() {
        return !indexesExplicitly();
    }

    /** The module version as Redis reports it, e.g. 10200 for 1.2.0. */
    public int moduleVersion() {
        return moduleVersion;
    }

    public String versionText() {
        return (moduleVersion / 10000) + "." + (moduleVersion / 100 % 100) + "." + (moduleVersion % 100);
    }

    /** Extra FT.SEARCH arguments for this generation. */
    List<String> searchOptions() {
        // why: 2.x takes a timeout per query; 1.x only as a module load argument (checked at start)
        return indexesExplicitly() ? List.of() : List.of("TIMEOUT", Integer.toString(QUERY_TIMEOUT_MILLIS));
    }

    /** The MAXDOCTABLESIZE that ./dev loads RediSearch 1.x with. */
    static final long LARGE_DOC_TABLE = 100_000_000L;

    /**
     * why: measured here with 1.6M documents, RediSearch 1.2 at its default MAXDOCTABLESIZE of
     * 1,000,000 silently dropped most documents from queries that intersect a TAG and a NUMERIC
     * field (4,409 of a chat's 100,000). chatcache notices (the order indexes disagree) and answers
     * from MySQL, but the Redis route is then lost for large caches.
     */
    private void warnIfDocTableIsSmall(ModuleInfo module) {
        String configured = module.argument("MAXDOCTABLESIZE");
        long size;
        try {
            size = configured.isEmpty() ? 1_000_000L : Long.parseLong(configured);
        } catch (NumberFormatException e) {
            size = 1_000_000L;
        }
        if (size < LARGE_DOC_TABLE) {
            log.warn("RediSearch {} runs with MAXDOCTABLESIZE {}: past about a million cached messages its combined"
                    + " queries miss documents and readers will be answered from MySQL; load it with"
                    + " MAXDOCTABLESIZE {} (see README)", versionText(), size, LARGE_DOC_TABLE);
        }
    }

    /**
     * why: without SAFEMODE, RediSearch 1.x hands every query to a thread pool and back; for
     * chatcache's queries (a page's hashes, INKEYS) that hand-off costs more than the query itself:
     * measured here, 3,400 raw pages/s with it and 5,000-7,000 without (BENCHMARKS.md run F).
     * 2.x runs queries on the main thread by default. Every chatcache query is bounded and the
     * module's TIMEOUT with ON_TIMEOUT FAIL still applies (checked: a query over 300,000
     * documents with TIMEOUT 1 fails).
     */
    private void warnIfConcurrent(ModuleInfo module) {
        if (!module.flag("SAFEMODE")) {
            log.warn("RediSearch {} runs queries on its thread pool (no SAFEMODE): each page costs Redis about"
                    + " twice the CPU; load it with SAFEMODE (see README)", versionText());
        }
    }

    private void requireFailOnTimeout(Jedis jedis, ModuleInfo module) {
        if (indexesExplicitly()) {
            warnIfDocTableIsSmall(module);
            warnIfConcurrent(module);
            if (!module.argument("ON_TIMEOUT").equalsIgnoreCase("FAIL")) {
                throw new IllegalStateException("RediSearch " + versionText()
                        + " must be loaded with 'ON_TIMEOUT FAIL' (and a TIMEOUT), or it answers timed-out"
                        + " queries with partial results: loadmodule .../redisearch.so TIMEOUT "
                        + QUERY_TIMEOUT_MILLIS + " ON_TIMEOUT FAIL");
            }
            return;
        }
        try {
            jedis.sendCommand(SearchCommand.CONFIG, "SET", "ON_TIMEOUT", "FAIL");
        } catch (JedisDataException e) {
            // why: Redis 8 may refuse FT.CONFIG and take the same setting as a server config
            jedis.configSet("search-on-timeout", "fail");
        }
    }

    private void create(Jedis jedis, KeySpace keys) {
        List<String> args = new ArrayList<>(List.of(keys.index()));
        if (!indexesExplicitly()) {
            args.addAll(List.of("ON", "HASH", "PREFIX", "1", keys.messagePrefix()));
        }
        // why: no full-text field, so word positions, per-field flags and frequencies are waste;
        // STOPWORDS 0: the query parser would otherwise refuse a stop word such as "a" or "the"
        // even inside a TAG match (1.2: "Syntax error"), and words are ours to define
        args.addAll(List.of("NOOFFSETS", "NOFIELDS", "NOFREQS", "STOPWORDS", "0", "SCHEMA"));
        List<String> fields = new ArrayList<>(schemaFields());
        if (!indexesExplicitly()) {
            // why: words are folded by chatcache (query.Words); 2.x would fold TAG values again
            // with its own Unicode tables, 1.x only folds ASCII, which a word never holds upper-cased
            fields.add(fields.indexOf(MessageHash.WORDS) + 2, "CASESENSITIVE");
        }
        args.addAll(fields);
        try {
            jedis.sendCommand(SearchCommand.CREATE, args.toArray(String[]::new));
        } catch (JedisDataException e) {
            String message = String.valueOf(e.getMessage());
            if (!message.toLowerCase().contains("already exists")) {
                throw new IllegalStateException("creating " + keys.index() + " failed: " + message, e);
            }
        }
    }

    static List<String> schemaFields() {
        String text;
        try (InputStream in = SearchIndex.class.getResourceAsStream(SCHEMA_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(SCHEMA_RESOURCE + " is missing from the classpath");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + SCHEMA_RESOURCE, e);
        }
        List<String> words = new ArrayList<>();
        for (String line : text.split("\n")) {
            String trimmed = line.strip();
            if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
                words.addAll(List.of(trimmed.split("\\s+")));
            }
        }
        return words;
    }

    /** One entry of MODULE LIST. */
    record ModuleInfo(int version, List<String> args) {
        static ModuleInfo find(Jedis jedis) {
            for (Object entry : (List<?>) jedis.sendCommand(redis.clients.jedis.Protocol.Command.MODULE, "LIST")) {
                List<?> fields = (List<?>) entry;
                String name = null;
                Integer version = null;
                List<String> args = List.of();
                for (int i = 0; i + 1 < fields.size(); i += 2) {
                    String key = SafeEncoder.encode((byte[]) fields.get(i));
                    Object value = fields.get(i + 1);
                    switch (key) {
                        case "name" -> name = SafeEncoder.encode((byte[]) value);
                        case "ver" -> version = ((Long) value).intValue();
                        case "args" -> args = ((List<?>) value).stream()
                                .map(a -> SafeEncoder.encode((byte[]) a)).toList();
                        default -> { }
                    }
                }
                if (("ft".equals(name) || "search".equals(name)) && version != null) {
                    return new ModuleInfo(version, args);
                }
            }
            throw new IllegalStateException("Redis has no RediSearch module (MODULE LIST shows neither 'ft' nor 'search'):"
                    + " load redisearch.so, or use Redis 8 with its Query Engine");
        }

        /** True if this flag (an argument without a value, e.g. SAFEMODE) was given. */
        boolean flag(String name) {
            return args.stream().anyMatch(a -> a.equalsIgnoreCase(name));
        }

        /** The value following this module load argument, or "" if it was not given. */
        String argument(String name) {
            for (int i = 0; i + 1 < args.size(); i++) {
                if (args.get(i).equalsIgnoreCase(name)) {
                    return args.get(i + 1);
                }
            }
            return "";
        }
    }
}
