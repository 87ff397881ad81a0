package chatcache.message;

import chatcache.core.BackendUnavailableException;
import chatcache.core.Message;
import chatcache.core.EventId;
import chatcache.query.Filter;
import chatcache.query.OrderKey;
import chatcache.query.Slice;
import chatcache.query.Slice.Direction;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One page of the Redis route. Redis holds every message of a chat at or above its boundary; a
 * slice that reaches below it is the Redis part plus a MySQL keyset slice from the boundary with
 * the same filters. Both are in the same order and the Redis part lies wholly above the boundary,
 * so concatenating them is the merge. A slice towards newer messages that starts below the
 * boundary is MySQL's up to the boundary and Redis's from there. Remembers which store answered
 * ({@link #name}: {@code redis}, {@code mysql} or {@code redis+mysql}), which messages came from
 * MySQL (marked read there), and the MySQL slices that continued Redis's (explain).
 *
 * <p>why the boundary is read again before MySQL continues: a post may have trimmed the window
 * since the Redis part was read, and a search may have missed what the trim took; the Redis part
 * is cut at the boundary as it is now and MySQL answers everything below it.
 */
final class JoinedPage implements MessageBackend {
    /** Times a slice is read again when a concurrent trim left it short. */
    private static final int ATTEMPTS = 3;

    private final HeldMessages redis;
    private final MessageBackend mysql;
    private boolean fromRedis;
    private boolean fromMysql;
    private final Set<Long> mysqlIds = new HashSet<>();
    private final List<Continued> continued = new ArrayList<>();
    /**
     * The chat's boundary as read by this page's anchor lookup, when the anchor lies below it:
     * everything older than the anchor is MySQL's alone (a trim only moves the boundary up).
     */
    private OrderKey anchorBelow;
    /** Whether Redis was read yet, and where a reader joins the chat's events, if its first read said. */
    private boolean redisRead;
    private Optional<EventId> position = Optional.empty();

    /** A MySQL slice that continued Redis's, and the ids it answered. */
    record Continued(Slice slice, List<Long> answerIds) {
    }

    JoinedPage(HeldMessages redis, MessageBackend mysql) {
        this.redis = redis;
        this.mysql = mysql;
    }

    @Override
    public String name() {
        return fromMysql ? (fromRedis ? "redis+mysql" : "mysql") : "redis";
    }

    /** The MySQL slices that continued Redis's, in the order they ran. */
    List<Continued> continued() {
        return continued;
    }

    /**
     * Where a reader of this page joins the chat's events, read in the page's first Redis call
     * (the same step as what it read): empty when that call did not say (an anchor's lookup).
     */
    Optional<EventId> position() {
        return position;
    }

    private void read(Optional<EventId> said) {
        if (!redisRead) {
            redisRead = true;
            position = said;
        }
    }

    @Override
    public Optional<Message> find(long chatId, long messageId) {
        Held<Optional<Message>> held = redis.findHeld(chatId, messageId, !redisRead);
        read(held.position());
        if (held.value().isPresent() || held.boundary().isEmpty()) {
            fromRedis = true;
            return held.value();
        }
        // not in the window: below the boundary, if it is a message of this chat
        fromMysql = true;
        Optional<Message> found = mysql.find(chatId, messageId);
        found.ifPresent(m -> mysqlIds.add(m.id())); // an around page shows it: marked in MySQL
        found.filter(m -> placeOf(m).compareTo(held.boundary().get()) < 0).ifPresent(m -> anchorBelow = held.boundary().get());
        return found;
    }

    @Override
    public List<Message> slice(Slice slice) {
        boolean fromBelow = anchorBelow != null && slice.from().filter(f -> f.compareTo(anchorBelow) < 0).isPresent();
        if (fromBelow && slice.direction() == Direction.OLDER) {
            // why no Redis read: it could only say what the anchor's lookup said, the boundary
            List<Message> got = fromMysql(slice);
            got.forEach(m -> mysqlIds.add(m.id()));
            return got;
        }
        if (fromBelow) {
            // towards newer messages from below the boundary: MySQL's nearest come first, and if
            // they fill the slice below the boundary the anchor's lookup read, Redis has nothing to
            // add (issue #24: an unread page's "is there a newer one" read Redis twice for it)
            List<Message> below = fromMysql(slice).stream().filter(m -> placeOf(m).compareTo(anchorBelow) < 0).toList();
            if (below.size() >= slice.count()) {
                below.forEach(m -> mysqlIds.add(m.id()));
                return below;
            }
        }
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Optional<List<Message>> answer = attempt(slice);
            if (answer.isPresent()) {
                return answer.get();
            }
        }
        throw new BackendUnavailableException(BackendUnavailableException.Reason.DISAGREEMENT,
                "the window of chat " + slice.chatId() + " kept moving while a page was read", null);
    }

    private Optional<List<Message>> attempt(Slice slice) {
        Held<List<Message>> held = redis.sliceHeld(slice, !redisRead);
        read(held.position());
        List<Message> got = held.value();
        if (held.boundary().isEmpty()) {
            fromRedis = true;
            return Optional.of(got);
        }
        OrderKey first = held.boundary().get();
        if (slice.direction() == Direction.OLDER) {
            return got.size() >= slice.count() ? redisOnly(got) : Optional.of(older(slice, got, boundary(held, slice)));
        }
        if (slice.from().orElseThrow().compareTo(first) >= 0) {
            return redisOnly(got); // Redis holds everything newer than the start
        }
        return newer(slice, got, boundary(held, slice));
    }

    /** The boundary below which MySQL continues: as read with the Redis part when that read was exact, else read again. */
    private OrderKey boundary(Held<List<Message>> held, Slice slice) {
        OrderKey first = held.boundary().orElseThrow();
        return held.exact() ? first : boundaryNow(slice.chatId(), first);
    }

    private Optional<List<Message>> redisOnly(List<Message> got) {
        fromRedis = true;
        return Optional.of(got);
    }

    /** The Redis part (newest first, all above the boundary {@code b}), then MySQL's from the boundary down. */
    private List<Message> older(Slice slice, List<Message> got, OrderKey b) {
        List<Message> kept = got.stream().filter(m -> placeOf(m).compareTo(b) >= 0).toList();
        if (!kept.isEmpty()) {
            fromRedis = true;
        }
        if (!mayLieBelow(slice, b)) {
            return kept;
        }
        Optional<OrderKey> from = Optional.of(slice.from().filter(f -> f.compareTo(b) < 0).orElse(b));
        List<Message> rest = fromMysql(new Slice(slice.chatId(), slice.filters(), Direction.OLDER, from,
                slice.count() - kept.size()));
        rest.forEach(m -> mysqlIds.add(m.id()));
        List<Message> all = new ArrayList<>(kept);
        all.addAll(rest);
        return all;
    }

    /**
     * A slice towards newer messages from below the boundary: MySQL's nearest (oldest first) up to
     * the boundary, then Redis's from the boundary up. Empty (read again) when a trim since the
     * Redis read took messages from a full Redis part and left the page short.
     */
    private Optional<List<Message>> newer(Slice slice, List<Message> got, OrderKey b) {
        List<Message> below = fromMysql(slice).stream().filter(m -> placeOf(m).compareTo(b) < 0).toList();
        if (below.size() >= slice.count()) {
            below.forEach(m -> mysqlIds.add(m.id()));
            return Optional.of(below);
        }
        List<Message> above = got.stream().filter(m -> placeOf(m).compareTo(b) >= 0).toList();
        List<Message> all = new ArrayList<>(below);
        all.addAll(above.subList(0, Math.min(above.size(), slice.count() - below.size())));
        if (all.size() < slice.count() && got.size() >= slice.count()) {
            return Optional.empty(); // the full Redis part lost some to a trim: its rest is not known
        }
        if (!above.isEmpty()) {
            fromRedis = true;
        }
        below.forEach(m -> mysqlIds.add(m.id()));
        return Optional.of(all);
    }

    private List<Message> fromMysql(Slice slice) {
        fromMysql = true;
        List<Message> answer = mysql.slice(slice);
        continued.add(new Continued(slice, answer.stream().map(Message::id).toList()));
        return answer;
    }

    /** The boundary now, or the one read with the Redis part if that is higher (or the chat is held whole again). */
    private OrderKey boundaryNow(long chatId, OrderKey first) {
        return redis.boundary(chatId).filter(now -> now.compareTo(first) > 0).orElse(first);
    }

    /**
     * Whether a message below this place can pass the slice's filters: not when the time range
     * starts after it, nor when an unread-by marker lies at or above it (what is older is read).
     */
    private static boolean mayLieBelow(Slice slice, OrderKey b) {
        boolean inRange = slice.filter(Filter.TimeRange.class).map(r -> r.since() <= b.createdAt()).orElse(true);
        boolean unread = slice.filter(Filter.UnreadBy.class)
                .map(u -> u.marker() == null || u.marker().compareTo(b) < 0).orElse(true);
        return inRange && unread;
    }

    private static OrderKey placeOf(Message m) {
        return new OrderKey(m.createdAt(), m.id());
    }

    /** Each message marked in the store it came from; returns MySQL's outbox ids (see {@link MessageBackend#markRead}). */
    @Override
    public List<Long> markRead(long chatId, Collection<Long> ids) {
        List<Long> inMysql = ids.stream().filter(mysqlIds::contains).toList();
        List<Long> inRedis = ids.stream().filter(id -> !mysqlIds.contains(id)).toList();
        if (!inRedis.isEmpty()) {
            redis.markRead(chatId, inRedis);
        }
        return inMysql.isEmpty() ? List.of() : mysql.markRead(chatId, inMysql);
    }
}
