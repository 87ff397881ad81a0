package chatcache.redis;

import chatcache.rediskit.LuaScript;
import chatcache.rediskit.Redis;
import chatcache.rediskit.ReplicaWait;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Read marks on cached messages: one Lua call sets read on those Redis holds, appends their
 * chats' events and, for marks made here, records them in the read-mark stream for MySQL.
 */
final class ReadMarks {
    /** schema/lua/mark-read.lua. why no FT.ADDHASH on 1.x: see {@link SearchIndex#holdsReadState}. */
    private static final LuaScript MARK_READ = EventAppend.script("mark-read", MessageHash.luaNames());

    private final Redis redis;
    private final ChatGroups groups;
    private final List<String> eventArgs;

    private final ReplicaWait replicas;

    ReadMarks(Redis redis, ChatGroups groups, List<String> eventArgs, ReplicaWait replicas) {
        this.redis = redis;
        this.groups = groups;
        this.replicas = replicas;
        this.eventArgs = eventArgs;
    }

    /**
     * Sets read on those of these messages Redis holds, and (for marks made here) appends them to
     * the read-mark stream, in one Lua call: atomic, so a message deleted meanwhile never comes back
     * as a stub hash holding only "read", and the marks and the record that MySQL still needs them
     * are written together. why not WATCH/MULTI (as before): readers marking the same messages
     * at once made each other's transactions fail; six at once ran out of retries (measured).
     *
     * @param chatId         the chat of every message marked (a page's)
     * @param recordForMysql true for marks made here (MySQL learns them from the stream), false
     *                       for marks made on the MySQL path and copied here
     * @throws chatcache.core.BackendUnavailableException also when marks made here did not reach the
     *         replicas in time: the page is then answered by MySQL, which marks them itself (a
     *         promoted replica without them would otherwise forget marks a reader was shown)
     */
    void mark(long chatId, Collection<Long> ids, boolean recordForMysql) {
        if (ids.isEmpty()) {
            return;
        }
        KeySpace space = groups.of(chatId);
        List<String> keys = new ArrayList<>(ids.size() + 3);
        List<String> args = new ArrayList<>(ids.size() + 4);
        args.add(recordForMysql ? "1" : "0");
        args.add(ReadMarkLog.IDS);
        args.addAll(eventArgs);
        for (long id : ids) {
            keys.add(space.message(id));
            args.add(Long.toString(id));
        }
        keys.add(space.readMarks());
        keys.addAll(EventAppend.guardKeys(space));
        redis.run(space.route(), "mark messages read", jedis -> {
            MARK_READ.eval(jedis, keys, args);
            if (recordForMysql) {
                replicas.requireOwn(jedis, "mark messages read on enough replicas");
            }
        });
    }
}
