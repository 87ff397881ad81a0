package chatcache.redis;

import chatcache.core.BackendUnavailableException;
import chatcache.events.ChatEvent;
import chatcache.events.ChatEvents;
import chatcache.core.EventId;
import chatcache.events.EventLog;
import chatcache.rediskit.LuaScript;
import chatcache.rediskit.Pipelines;
import chatcache.rediskit.Redis;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.XReadParams;
import redis.clients.jedis.resps.StreamEntry;
import redis.clients.jedis.resps.StreamInfo;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the chats' event streams in Redis (the writes append to them: see {@link ChatEvents} and
 * {@link EventAppend}). Every method throws {@link BackendUnavailableException} when Redis does not answer.
 */
public final class RedisEventLog implements EventLog {
    private static final String WHAT = "serve the events";
    private final Redis redis;
    private final ChatGroups groups;

    public RedisEventLog(Redis redis, ChatGroups groups) {
        this.redis = redis;
        this.groups = groups;
    }

    /**
     * The instant of the last full rebuild, which every group holds (CacheState.markAllComplete
     * writes the same one into each); empty while a group lacks it, or while they differ (a
     * rebuild marking them one after the other).
     */
    @Override
    public Optional<String> epoch() {
        List<String> values = redis.eachOwner(groups.all(), KeySpace::route, WHAT, (jedis, inReach) -> {
            Pipeline p = jedis.pipelined();
            List<Response<String>> replies = inReach.stream().map(keys -> p.get(keys.complete())).toList();
            p.sync();
            return replies.stream().map(Response::get).toList();
        }).stream().flatMap(List::stream).toList();
        Set<String> distinct = new HashSet<>();
        for (String v : values) {
            if (v == null) {
                return Optional.empty();
            }
            distinct.add(v);
        }
        return distinct.size() == 1 ? Optional.of(ChatEvents.epochToken(distinct.iterator().next())) : Optional.empty();
    }

    /**
     * Where a client that reads a page now joins the chat's events: the epoch and the newest
     * event, in one round trip; empty while Redis does not hold the whole cache. Read before the
     * page, so that no change between the two is missed (one may come twice: clients apply events
     * by message id).
     */
    @Override
    public Optional<EventId> position(long chatId) {
        KeySpace keys = groups.of(chatId);
        return redis.call(keys.route(), WHAT, jedis -> {
            List<String> reply = Replies.strings(POSITION.eval(jedis, List.of(keys.complete(), keys.events(chatId)), List.of()));
            return positionOf(reply.get(0), reply.get(1));
        });
    }

    /** Queues {@link #position}'s script in a pipeline (its reply: {@link #positionOf(Object)}). */
    static redis.clients.jedis.Response<Object> queuePosition(redis.clients.jedis.Pipeline p, KeySpace keys, long chatId) {
        return p.evalsha(POSITION.sha(), List.of(keys.complete(), keys.events(chatId)), List.of());
    }

    /** Loads {@link #position}'s script into a Redis that forgot it. */
    static void loadPosition(redis.clients.jedis.Jedis jedis) {
        POSITION.loadInto(jedis);
    }

    /** The position a queued {@link #queuePosition} answered. */
    static Optional<EventId> positionOf(Object reply) {
        List<String> r = Replies.strings(reply);
        return positionOf(r.get(0), r.get(1));
    }

    /**
     * The position of the cache's marker ({@code complete}: '' or null when Redis does not hold the
     * whole cache: none) and a chat's last event id ('' when it has none: the epoch's start).
     */
    static Optional<EventId> positionOf(String complete, String lastId) {
        if (complete == null || complete.isEmpty()) {
            return Optional.empty();
        }
        String epoch = ChatEvents.epochToken(complete);
        return Optional.of(lastId == null || lastId.isEmpty() ? EventId.start(epoch) : EventId.of(epoch, lastId));
    }

    @Override
    public void follow(java.util.Collection<Long> chatIds, long forMillis) {
        if (chatIds.isEmpty()) {
            return;
        }
        groups.eachOwner(redis, chatIds, Long::longValue, WHAT, (jedis, parts) -> Pipelines.run(jedis, queue -> {
            parts.forEach(part -> {
                List<String> args = new ArrayList<>(List.of(Long.toString(forMillis)));
                part.getValue().forEach(id -> args.add(Long.toString(id)));
                queue.script(FOLLOW, List.of(part.getKey().followed()), args);
            });
            return () -> null;
        }));
    }

    /** schema/lua/events-position.lua */
    private static final LuaScript POSITION = LuaScript.load("events-position", LuaScript.resource("last-event-id"));
    /** schema/lua/events-follow.lua */
    private static final LuaScript FOLLOW = LuaScript.load("events-follow");

    @Override
    public EventId tail(String epoch, long chatId) {
        return redis.call(route(chatId), WHAT, jedis -> {
            StreamInfo info = info(jedis, chatId);
            return info == null ? EventId.start(epoch) : EventId.of(epoch, info.getLastGeneratedId().toString());
        });
    }

    /**
     * Whether every event after {@code from} is still in the stream, so a client there can go on
     * without a gap. why not from the first entry alone: trimming leaves no trace of what it took
     * but the count of entries ever added ({@code entries-added}) against those kept.
     */
    @Override
    public boolean continuesFrom(EventId from, long chatId) {
        return redis.call(route(chatId), WHAT, jedis -> {
            StreamInfo info = info(jedis, chatId);
            if (info == null) {
                return from.millis() == 0 && from.seq() == 0; // nothing was ever appended in this epoch
            }
            EventId last = EventId.of(from.epoch(), info.getLastGeneratedId().toString());
            if (from.compareTo(last) > 0) {
                return false; // an id this stream never gave
            }
            Object added = info.getStreamInfo().get("entries-added");
            boolean trimmed = !(added instanceof Long a) || a > info.getLength();
            if (!trimmed || from.compareTo(last) == 0) {
                return true;
            }
            StreamEntry first = info.getFirstEntry();
            return first != null && from.compareTo(EventId.of(from.epoch(), first.getID().toString())) >= 0;
        });
    }

    @Override
    public List<ChatEvent> after(EventId from, long chatId, int count) {
        return redis.call(route(chatId), WHAT, jedis -> {
            List<StreamEntry> entries = jedis.xrange(groups.of(chatId).events(chatId), "(" + from.streamId(), "+", count);
            List<ChatEvent> events = new ArrayList<>(entries.size());
            for (StreamEntry e : entries) {
                events.add(new ChatEvent(chatId, EventId.of(from.epoch(), e.getID().toString()), e.getFields()));
            }
            return events;
        });
    }

    /**
     * Waits up to {@code blockMillis} for events after these positions (chat id to the last event
     * seen) and returns them by chat, oldest first, at most {@code count} per chat, with the epoch
     * they belong to (read before and after the wait; none are returned when it changed).
     */
    @Override
    public Batch read(Map<Long, EventId> positions, int count, long blockMillis) {
        Optional<String> epoch = epoch();
        Map<Long, List<ChatEvent>> byChat = new LinkedHashMap<>();
        if (epoch.isEmpty() || positions.isEmpty()) {
            return new Batch(epoch, byChat);
        }
        Map<String, Long> chats = new java.util.HashMap<>();
        Map<KeySpace, Map<String, StreamEntryID>> byGroup = new LinkedHashMap<>();
        groups.split(positions.keySet(), Long::longValue).forEach((keys, inGroup) -> {
            Map<String, StreamEntryID> streams = new LinkedHashMap<>();
            for (long chat : inGroup) {
                EventId at = positions.get(chat);
                streams.put(keys.events(chat), new StreamEntryID(at.millis(), at.seq()));
                chats.put(keys.events(chat), chat);
            }
            byGroup.put(keys, streams);
        });
        List<Map.Entry<String, List<StreamEntry>>> answer = xread(byGroup, count, blockMillis);
        // why the epoch again: Redis may have lost its data and been rebuilt while the read
        // waited; what it then returned cannot be told apart from the old epoch's events
        Optional<String> after = epoch();
        if (!after.equals(epoch)) {
            return new Batch(after, byChat);
        }
        if (answer != null) {
            for (Map.Entry<String, List<StreamEntry>> stream : answer) {
                long chat = chats.get(stream.getKey());
                List<ChatEvent> events = new ArrayList<>(stream.getValue().size());
                for (StreamEntry e : stream.getValue()) {
                    events.add(new ChatEvent(chat, EventId.of(epoch.get(), e.getID().toString()), e.getFields()));
                }
                byChat.put(chat, events);
            }
        }
        return new Batch(epoch, byChat);
    }

    private String route(long chatId) {
        return groups.of(chatId).route();
    }

    /** How long a read of several groups' streams waits on one group when none had news. */
    static final long GROUP_WAIT_MILLIS = 50;
    /** The group the next such wait is on. */
    private final java.util.concurrent.atomic.AtomicInteger waitOn = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * XREAD of these streams (by group). One group: one XREAD that waits. Several: an XREAD per
     * group (a command may only name keys of one slot on a Redis Cluster), pipelined without
     * waiting; when none had news, a wait of at most {@value #GROUP_WAIT_MILLIS} ms on one group,
     * another each time, so that news of the others waits at most that long for the next round.
     */
    private List<Map.Entry<String, List<StreamEntry>>> xread(Map<KeySpace, Map<String, StreamEntryID>> byGroup,
                                                               int count, long blockMillis) {
        List<Map.Entry<KeySpace, Map<String, StreamEntryID>>> parts = List.copyOf(byGroup.entrySet());
        if (parts.size() == 1) {
            return redis.call(parts.get(0).getKey().route(), WHAT,
                    jedis -> jedis.xread(XReadParams.xReadParams().count(count).block((int) blockMillis), parts.get(0).getValue()));
        }
        List<Map.Entry<String, List<StreamEntry>>> answer = new ArrayList<>();
        redis.eachOwner(parts, part -> part.getKey().route(), WHAT, (jedis, inReach) -> {
            Pipeline p = jedis.pipelined();
            List<Response<List<Map.Entry<String, List<StreamEntry>>>>> replies = inReach.stream()
                    .map(part -> p.xread(XReadParams.xReadParams().count(count), part.getValue())).toList();
            p.sync();
            replies.forEach(r -> {
                if (r.get() != null) {
                    answer.addAll(r.get());
                }
            });
            return null;
        });
        if (answer.isEmpty() && blockMillis > 0) {
            Map.Entry<KeySpace, Map<String, StreamEntryID>> part = parts.get(Math.floorMod(waitOn.getAndIncrement(), parts.size()));
            List<Map.Entry<String, List<StreamEntry>>> waited = redis.call(part.getKey().route(), WHAT, jedis -> jedis.xread(
                    XReadParams.xReadParams().count(count).block((int) Math.min(blockMillis, GROUP_WAIT_MILLIS)), part.getValue()));
            if (waited != null) {
                answer.addAll(waited);
            }
        }
        return answer;
    }

    private StreamInfo info(Jedis jedis, long chatId) {
        try {
            return jedis.xinfoStream(groups.of(chatId).events(chatId));
        } catch (JedisDataException e) {
            if (e.getMessage() != null && e.getMessage().contains("no such key")) {
                return null;
            }
            throw e;
        }
    }
}
