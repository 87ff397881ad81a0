package chatcache.redis;

import chatcache.core.BackendUnavailableException;
import chatcache.core.Message;
import chatcache.query.Filter;
import chatcache.query.MessageField;
import chatcache.query.OrderKey;
import chatcache.query.Slice;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.SafeEncoder;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A slice with filters the order index keeps no list for (read state, words, unread-by): the
 * order index names a first window, RediSearch keeps its matches, and spans of time beyond it are
 * searched until the page is full ({@link #searchFiltered}).
 */
final class FilteredSearch {
    /** The first window a filtered walk searches, at least (twice the page, if larger). */
    static final int FIRST_WINDOW = 64;
    /** At most this many matches are listed by one search of a time span; a span with more is narrowed. */
    static final int SPAN_MAX = 1_000;
    /** Times a span that held too many matches is narrowed before the walk gives up (a DISAGREEMENT). */
    private static final int NARROWINGS = 6;

    private final IndexSearch search;

    FilteredSearch(IndexSearch search) {
        this.search = search;
    }

    /**
     * The slice with filters only RediSearch can test (read state, words). First the order index
     * names the nearest window of messages (of the chat, or of the authors' lists; this call also
     * checks that Redis holds the whole chat) and FT.SEARCH keeps those that pass (INKEYS): a
     * dense filter's page ends here. Then spans of time beyond the window are searched, each
     * listing only its matches' times ({@link RedisQueryMapper#candidateArgs}): the first as long
     * as the window's density says the rest of the page needs, three times over (at least 16
     * windows' worth; 64 when nothing passed, or the whole rest at once when the lists end within
     * two of those); after a span with no match, the whole rest of the chat (a rare filter: its
     * cost is its matches); after one with too few, a span sized by the
     * density seen so far. A span holding more than {@value #SPAN_MAX} matches is narrowed (the
     * whole rest, by going on by spans). The nearest matches complete the page, read with one
     * FT.SEARCH INKEYS that checks they still pass.
     */
    MessageSlices.Sliced searchFiltered(Jedis jedis, Slice slice, List<String> lists, Optional<Filter.TimeRange> range,
                                        Optional<String> start, Comparator<OrderKey> nearestFirst, boolean position,
                                        List<List<String>> trace) {
        int window = Math.max(FIRST_WINDOW, 2 * slice.count());
        OrderWalk.Walked w = OrderWalk.nearest(jedis, search.keys(slice.chatId()), slice, lists, start, window, nearestFirst, false, position, trace);
        List<OrderKey> inRange = w.keys().stream().filter(k -> OrderWalk.admitted(k, slice)).toList();
        List<Message> page = new ArrayList<>();
        BoundaryAfter after = new BoundaryAfter(search.keys(slice.chatId()), slice.chatId());
        if (!inRange.isEmpty()) {
            List<Message> found = new ArrayList<>(search.search(jedis, slice, IndexSearch.hashKeys(search.keys(slice.chatId()), inRange), trace, after));
            found.sort(Comparator.comparing(IndexSearch::orderKey, nearestFirst));
            page.addAll(found);
        }
        if (page.size() >= slice.count()) {
            return sliced(List.copyOf(page.subList(0, slice.count())), w, after, lists);
        }
        if (w.ended() || inRange.size() < w.keys().size()) {
            // Redis holds nothing further of the chat (or the time range): what MySQL holds below
            // the boundary, if any, is the caller's to add
            return sliced(page, w, after, lists);
        }
        OrderKey last = w.keys().get(w.keys().size() - 1);
        long spanOfWindow = Math.max(1, Math.abs(last.createdAt() - w.keys().get(0).createdAt()));
        int needed = slice.count() - page.size();
        // as long as the window's density says the rest of the page needs, three times over, and at
        // least 16 windows' worth; 64 windows' worth when nothing passed
        long span = page.isEmpty() ? 64 * spanOfWindow : Math.max(16 * spanOfWindow,
                (long) Math.ceil(3.0 * needed * spanOfWindow * w.keys().size() / page.size() / Math.max(1, w.keys().size() - 1)));
        // why at once the whole rest when nothing passed and the lists end within two such spans:
        // a rare filter in a window would take a span and then the rest, two searches for one
        // (issue #24: a word in 10,000 beyond a window of 5,000 searched 64 windows, then the 13 left)
        boolean wholeFirst = page.isEmpty() && w.edge()
                .map(e -> Math.abs(last.createdAt() - e.createdAt()) < saturatedTimes(Math.max(span, 1), 2)).orElse(false);
        page.addAll(beyond(jedis, slice, range, last, needed, Math.max(span, 1), wholeFirst, nearestFirst, w.boundary(),
                w.edge(), after, trace));
        return sliced(page, w, after, lists);
    }

    /**
     * The page with the boundary as read after its last search, or the walk's if that is higher
     * (exact: MySQL continues from it without reading it again); with no search, the walk's own,
     * exact when one list's call read it. why the higher: the searches kept only matches at or
     * above the walk's boundary, and a chat held whole again meanwhile ("", the lowest) must not
     * make a page they left short look whole; a trim meanwhile moved it up, and MySQL answers below.
     */
    private static MessageSlices.Sliced sliced(List<Message> page, OrderWalk.Walked w, BoundaryAfter after, List<String> lists) {
        return after.latest()
                .map(b -> new MessageSlices.Sliced(page, b.compareTo(w.boundary()) > 0 ? b : w.boundary(), w.position(), true))
                .orElseGet(() -> new MessageSlices.Sliced(page, w.boundary(), w.position(), lists.size() == 1));
    }

    /**
     * The nearest {@code needed} matches beyond {@code after}, searched by time spans (see
     * {@link #searchFiltered}), read in full; {@code wholeFirst}: the first search covers the whole rest.
     */
    private List<Message> beyond(Jedis jedis, Slice slice, Optional<Filter.TimeRange> range, OrderKey after, int needed,
                                 long firstSpan, boolean wholeFirst, Comparator<OrderKey> nearestFirst, String boundary,
                                 Optional<OrderKey> edge, BoundaryAfter reads, List<List<String>> trace) {
        boolean older = slice.direction() == Slice.Direction.OLDER;
        // the far end of what the slice may reach, in time
        long reach = older ? range.map(Filter.TimeRange::since).orElse(Long.MIN_VALUE)
                : range.map(r -> r.hasUntil() ? r.until() - 1 : Long.MAX_VALUE).orElse(Long.MAX_VALUE);
        if (older) { // an unread-by filter's marker: its millisecond at the most (keys are cut exactly in span)
            long markerTime = slice.filter(Filter.UnreadBy.class).map(Filter.UnreadBy::marker)
                    .map(OrderKey::createdAt).orElse(Long.MIN_VALUE);
            reach = Math.max(reach, markerTime);
        }
        // why the lists' far key too: past it the chat holds nothing, and spans sized by the density
        // seen would otherwise go on doubling into times before the chat began, down to -inf
        // (issue #24: 16 searches for one page of 5,000 messages with 5 matches). A message posted
        // after the walk read its lists lies beyond the page's newest, as if posted after the page.
        long end = edge.isEmpty() ? reach
                : older ? Math.max(reach, edge.get().createdAt()) : Math.min(reach, edge.get().createdAt());
        for (int attempt = 0; attempt < 3; attempt++) {
            List<OrderKey> found = new ArrayList<>();
            long from = after.createdAt(); // the near end of the next span, inclusive
            long span = firstSpan;
            boolean whole = wholeFirst; // the next search covers the whole rest of the slice's reach
            boolean wholeAsked = wholeFirst;
            long searchedMs = 0;
            int narrowings = 0;
            while (true) {
                long to = whole ? end
                        : older ? Math.max(end, saturatedMinus(from, span - 1)) : Math.min(end, saturatedPlus(from, span - 1));
                // why no time bound for the whole rest of a chat: a NUMERIC range over most of a
                // chat costs RediSearch more than the rare filter it narrows (1M messages, a word
                // in 100: 1.3-2.0 ms with @createdAt:[-inf t], 0.24-0.7 ms without, 1.2 and 2.10);
                // matches on the near side are dropped by their keys (span() keeps those beyond)
                boolean open = whole && (older ? reach == Long.MIN_VALUE : reach == Long.MAX_VALUE);
                Span got = open ? span(jedis, slice, Long.MIN_VALUE, Long.MAX_VALUE, after, nearestFirst, boundary, reads, trace)
                        : span(jedis, slice, Math.min(from, to), Math.max(from, to), after, nearestFirst, boundary, reads, trace);
                if (got == null) { // more than SPAN_MAX matches
                    if (whole) {
                        whole = false; // the rest is not rare: go on by spans
                        span = saturatedTimes(span, 8);
                    } else if (++narrowings > NARROWINGS || span <= 1) {
                        throw new BackendUnavailableException(BackendUnavailableException.Reason.DISAGREEMENT,
                                "more than " + SPAN_MAX + " matches within " + span + " ms of chat " + slice.chatId(), null);
                    } else {
                        span = Math.max(1, span / 4);
                    }
                    continue;
                }
                found.addAll(got.keys());
                if (found.size() >= needed || to == end) {
                    break;
                }
                searchedMs = saturatedPlus(searchedMs, Math.abs(to - from) + 1);
                from = older ? to - 1 : to + 1;
                if (found.isEmpty() && !wholeAsked) {
                    whole = wholeAsked = true; // nothing here: the filter is rare, list all of the rest
                } else {
                    // the density seen so far, three times over, at least twice the last span
                    long estimate = found.isEmpty() ? saturatedTimes(span, 8)
                            : (long) Math.min(Long.MAX_VALUE / 2, Math.ceil(3.0 * (needed - found.size()) * searchedMs / found.size()));
                    span = Math.max(saturatedTimes(span, 2), estimate);
                }
            }
            found.sort(nearestFirst);
            List<OrderKey> nearest = found.size() > needed ? found.subList(0, needed) : found;
            if (nearest.isEmpty()) {
                return List.of();
            }
            Optional<List<Message>> messages = search.readExactly(jedis, slice, nearest, nearestFirst, trace, reads);
            if (messages.isPresent()) {
                return messages.get();
            }
            // one of them changed (edited, deleted, marked read) between the two searches
        }
        throw new BackendUnavailableException(BackendUnavailableException.Reason.DISAGREEMENT,
                "the matches of chat " + slice.chatId() + " kept changing", null);
    }

    /** A span's matches beyond {@code after}, or null when it holds more than {@value #SPAN_MAX}. */
    private record Span(List<OrderKey> keys) {
    }

    /** why the boundary: a document below it is not part of the chat's window (1.x: trimmed a moment ago). */
    private Span span(Jedis jedis, Slice slice, long min, long max, OrderKey after, Comparator<OrderKey> nearestFirst,
                      String boundary, BoundaryAfter reads, List<List<String>> trace) {
        List<String> args = search.withOptions(RedisQueryMapper.candidateArgs(search.keys(slice.chatId()).index(), slice, min, max, SPAN_MAX, search.readIndexed()));
        IndexSearch.traced(trace, "FT.SEARCH", args);
        List<?> reply = search.send(jedis, search.keys(slice.chatId()), slice.chatId(), args, reads);
        if ((Long) reply.get(0) > SPAN_MAX) {
            return null;
        }
        List<OrderKey> keys = new ArrayList<>();
        for (int i = 1; i + 1 < reply.size(); i += 2) {
            long id = search.keys(slice.chatId()).messageId(SafeEncoder.encode((byte[]) reply.get(i)));
            Map<String, String> fields = IndexSearch.fieldsOf((List<?>) reply.get(i + 1));
            if (!fields.containsKey(MessageField.CREATED_AT.redisField())) {
                continue; // 1.x: a hash deleted (or trimmed) since the index listed it
            }
            OrderKey key = new OrderKey(Long.parseLong(fields.get(MessageField.CREATED_AT.redisField())), id);
            // where the index may lag on read state (1.x), the span returned each hash's own
            boolean readMatches = search.readIndexed() || slice.filter(Filter.Read.class)
                    .map(r -> r.read() == "1".equals(fields.get(MessageHash.READ))).orElse(true);
            if (nearestFirst.compare(key, after) > 0 && readMatches && OrderWalk.admitted(key, slice)
                    && key.sortKey().compareTo(boundary) >= 0) {
                keys.add(key);
            }
        }
        return new Span(keys);
    }

    private static long saturatedMinus(long a, long b) {
        long r = a - b;
        return ((a ^ b) & (a ^ r)) < 0 ? Long.MIN_VALUE : r;
    }

    private static long saturatedPlus(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    private static long saturatedTimes(long a, long b) {
        return a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
    }
}
