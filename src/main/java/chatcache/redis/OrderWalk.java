package chatcache.redis;

import chatcache.core.Message;
import chatcache.core.EventId;
import chatcache.query.Filter;
import chatcache.query.MessageOrder;
import chatcache.query.OrderKey;
import chatcache.query.Slice;
import redis.clients.jedis.Jedis;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a slice walks the order index: which lists (the chat's, or each asked-for author's), where
 * the walk starts, which keys lie in the slice's reach, and the nearest keys over its lists. Also
 * the planner's one question: can the order index walk a filter, or must RediSearch find its
 * messages ({@link #withoutOrder})?
 */
final class OrderWalk {
    private OrderWalk() {
    }

    /** Where a walk of the order index starts: after this sort key (exclusive), or at the newest message when empty. */
    record WalkStart(Optional<String> after) {
    }

    /**
     * Up to a window's keys, nearest first; {@code ended} when every list ran out before it was
     * full; the chat's boundary as the first list's read gave it ("" for the whole chat held);
     * the farthest key the lists hold in the walk's direction (empty when they hold none).
     */
    record Walked(List<OrderKey> keys, boolean ended, String boundary, Optional<OrderKey> edge,
                  Map<OrderKey, Message> fetched, Optional<EventId> position) {
    }

    /** Whether a filter has no order-index list, so that RediSearch must find the slice's messages. */
    static boolean hasFilterWithoutOrder(Slice slice) {
        return slice.filters().stream().anyMatch(OrderWalk::withoutOrder);
    }

    /** why a switch: a new filter must say here whether the order index can walk it (no default: a compile error). */
    static boolean withoutOrder(Filter filter) {
        return switch (filter) {
            case Filter.Authors authors -> false; // the authors' own lists
            case Filter.TimeRange range -> false; // a range of the order key
            case Filter.Read read -> true;
            case Filter.Text text -> true;
            case Filter.UnreadBy unread -> true;
        };
    }

    /** The order-index lists a slice walks: the chat's, or each asked-for author's. */
    static List<String> lists(KeySpace keys, Slice slice) {
        return slice.filter(Filter.Authors.class)
                .map(a -> a.ids().stream().map(id -> keys.order(slice.chatId(), id)).toList())
                .orElse(List.of(keys.order(slice.chatId())));
    }

    /** Whether a key lies in the slice's reach: its time range, and after the marker of an unread-by filter. */
    static boolean admitted(OrderKey k, Slice slice) {
        return slice.filter(Filter.TimeRange.class).map(r -> k.createdAt() >= r.since() && k.createdAt() < r.until()).orElse(true)
                && slice.filter(Filter.UnreadBy.class).map(u -> u.above(k)).orElse(true);
    }

    /**
     * {@link #start}, and, walking towards newer messages, not below the marker of an unread-by
     * filter (walking towards older ones, the marker ends the walk: {@link #admitted}).
     */
    static Optional<WalkStart> startOf(Slice slice) {
        Optional<WalkStart> start = start(slice, slice.filter(Filter.TimeRange.class));
        Optional<OrderKey> marker = slice.filter(Filter.UnreadBy.class).map(Filter.UnreadBy::marker);
        if (start.isEmpty() || marker.isEmpty() || slice.direction() == Slice.Direction.OLDER) {
            return start;
        }
        String bound = marker.get().sortKey();
        return Optional.of(new WalkStart(start.get().after().filter(f -> f.compareTo(bound) > 0).or(() -> Optional.of(bound))));
    }

    /**
     * Where the walk starts (exclusive): the slice's own start, moved to the near bound of its time
     * range when that is nearer. Empty when the range lies wholly outside the times a message can have.
     */
    private static Optional<WalkStart> start(Slice slice, Optional<Filter.TimeRange> range) {
        Optional<String> from = slice.from().map(OrderKey::sortKey);
        if (range.isEmpty()) {
            return Optional.of(new WalkStart(from));
        }
        Filter.TimeRange r = range.get();
        if (r.until() <= 0 || (r.hasSince() && r.since() > MessageOrder.MAX_CREATED_AT)) {
            return Optional.empty();
        }
        if (slice.direction() == Slice.Direction.OLDER) {
            if (!r.hasUntil() || r.until() > MessageOrder.MAX_CREATED_AT) {
                return Optional.of(new WalkStart(from));
            }
            String bound = MessageOrder.timeBound(r.until());
            return Optional.of(new WalkStart(Optional.of(from.filter(f -> f.compareTo(bound) < 0).orElse(bound))));
        }
        if (r.since() <= 0) {
            return Optional.of(new WalkStart(from));
        }
        String bound = MessageOrder.timeBound(r.since());
        return Optional.of(new WalkStart(from.filter(f -> f.compareTo(bound) > 0).or(() -> Optional.of(bound))));
    }

    /**
     * The {@code count} nearest keys over these lists, nearest first, each list read with the
     * check that Redis holds the chat and with its boundary. why keys below the boundary are
     * dropped: none should be listed (a trim removes a message from its chat's and its author's
     * list in one call); should one be, its message is MySQL's to answer.
     * With {@code fetch}, the keys' messages too, read in the same call ({@link Walked#fetched}:
     * those whose hash is a whole message of the chat and of the list's author, at the key's place;
     * a key whose hash is not is left out, for the caller to notice). With {@code position}, the
     * first list's call also reads where a reader joins the chat's events ({@link Walked#position}).
     */
    static Walked nearest(Jedis jedis, KeySpace space, Slice slice, List<String> lists, Optional<String> start, int count,
                          Comparator<OrderKey> nearestFirst, boolean fetch, boolean position,
                          List<List<String>> trace) {
        boolean older = slice.direction() == Slice.Direction.OLDER;
        Optional<EventId> joinAt = Optional.empty();
        List<OrderKey> keys = new ArrayList<>();
        Map<OrderKey, Message> fetched = new HashMap<>();
        String boundary = null;
        Optional<OrderKey> edge = Optional.empty();
        Optional<Long> author = slice.filter(Filter.Authors.class).filter(a -> a.ids().size() == 1).map(a -> a.ids().get(0));
        for (String list : lists) {
            boolean ask = position && list.equals(lists.get(0));
            // why explain shows the command without the position: it is the read's, not the page's
            List<String> command = OrderIndex.guardedCommand(space, slice.chatId(), list, older, start, count, fetch, false);
            OrderIndex.Held held = OrderIndex.inHeld(jedis, space, slice.chatId(), list, older, start, count, fetch, ask);
            if (trace != null) {
                trace.add(command);
            }
            if (ask) {
                joinAt = RedisEventLog.positionOf(held.position().get(0), held.position().get(1));
            }
            for (int i = 0; i < held.messages().size(); i++) {
                OrderKey key = OrderKey.ofSortKey(held.keys().get(i));
                MessageHash.fetched(key.id(), held.messages().get(i))
                        .filter(m -> m.chatId() == slice.chatId() && author.map(a -> a == m.userId()).orElse(true)
                                && m.createdAt() == key.createdAt())
                        .ifPresent(m -> fetched.put(key, m));
            }
            if (boundary == null) {
                boundary = held.boundary();
            }
            if (!held.edge().isEmpty()) {
                OrderKey far = OrderKey.ofSortKey(held.edge());
                edge = edge.filter(e -> nearestFirst.compare(e, far) >= 0).or(() -> Optional.of(far));
            }
            String cut = boundary;
            held.keys().stream().filter(k -> k.compareTo(cut) >= 0).forEach(k -> keys.add(OrderKey.ofSortKey(k)));
        }
        if (lists.size() > 1) {
            keys.sort(nearestFirst);
        }
        boolean ended = keys.size() < count;
        return new Walked(keys.size() > count ? keys.subList(0, count) : keys, ended, boundary == null ? "" : boundary, edge, fetched, joinAt);
    }

    /** The commands of {@link #nearest} for these lists, as explain shows them. */
    static List<List<String>> nearestCommands(KeySpace space, Slice slice, WalkStart start, int count, boolean fetch) {
        List<List<String>> commands = new ArrayList<>();
        for (String list : lists(space, slice)) {
            commands.add(OrderIndex.guardedCommand(space, slice.chatId(), list,
                    slice.direction() == Slice.Direction.OLDER, start.after(), count, fetch, false));
        }
        return commands;
    }
}
