package chatcache.message;

import chatcache.query.Filter;
import chatcache.query.SearchCriteria;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pages answered by Redis, kept in this instance's memory as they were sent (rendered), each with
 * the chat's version it was read at, and served again only while Redis says the chat is still at
 * that version (the version-ID pattern: a page is reused only for the state it was read from, so
 * reuse cannot change an answer). Every change Redis holds of a chat bumps its version in the same
 * script as the change (append_event); a chat Redis stops holding, or is rebuilding, has none.
 *
 * <p>Only pages that mark nothing and depend on nobody are kept: anonymous readers' (a signed-in
 * reader marks others' unread messages and sees {@code readByMe}), without {@code explain}, and
 * without a filter only RediSearch can test (read, text: on RediSearch 1.x the index follows a
 * write a moment after the version, so such a page could be read between the two). Bounded by
 * bytes ({@code CHATCACHE_HOT_PAGES_MB}), least recently served first out.
 */
public final class HotPages {
    /** What a kept entry costs beyond its bytes: the entry, its key and the criteria (measured order of magnitude). */
    static final int ENTRY_OVERHEAD = 256;

    /** Keeps nothing. */
    public static final HotPages OFF = new HotPages(0);

    private final long maxBytes;
    private final LinkedHashMap<SearchCriteria, Page> pages = new LinkedHashMap<>(64, 0.75f, true);
    private long bytes;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();

    /** A page as it was sent: its body, which store answered it, and the chat's version it was read at. */
    public record Page(byte[] body, String source, long version) {
        long cost() {
            return body.length + (long) ENTRY_OVERHEAD;
        }
    }

    /** @param maxBytes at most this many bytes of pages (0: keeps none) */
    public HotPages(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must be >= 0");
        }
        this.maxBytes = maxBytes;
    }

    public boolean enabled() {
        return maxBytes > 0;
    }

    /** Whether a page of these criteria may be kept (see the class comment for why). */
    public static boolean keepable(SearchCriteria criteria) {
        return criteria.filters().stream().allMatch(HotPages::keepable);
    }

    /** why a switch: a new filter must say here whether its pages may be kept (no default: a compile error). */
    private static boolean keepable(Filter filter) {
        return switch (filter) {
            case Filter.Authors authors -> true;
            case Filter.TimeRange range -> true;
            case Filter.Read read -> false;
            case Filter.Text text -> false;
            case Filter.UnreadBy unread -> false;
        };
    }

    /** The page kept for these criteria at this version, counted as a hit or a miss. */
    public Optional<Page> get(SearchCriteria criteria, long version) {
        Page page;
        synchronized (this) {
            page = pages.get(criteria);
        }
        if (page != null && page.version() == version) {
            hits.incrementAndGet();
            return Optional.of(page);
        }
        misses.incrementAndGet();
        return Optional.empty();
    }

    /** Keeps the page (replacing an older one), then drops the least recently served until within the bound. */
    public void put(SearchCriteria criteria, Page page) {
        if (!enabled() || page.cost() > maxBytes) {
            return;
        }
        synchronized (this) {
            Page old = pages.get(criteria);
            if (old != null && old.version() > page.version()) {
                return; // a slower request read an older version: keep the newer
            }
            Page replaced = pages.put(criteria, page);
            bytes += page.cost() - (replaced == null ? 0 : replaced.cost());
            Iterator<Map.Entry<SearchCriteria, Page>> eldest = pages.entrySet().iterator();
            while (bytes > maxBytes && eldest.hasNext()) {
                bytes -= eldest.next().getValue().cost();
                eldest.remove();
            }
        }
    }

    public long hits() {
        return hits.get();
    }

    public long misses() {
        return misses.get();
    }

    /** Bytes held now (bodies and {@value #ENTRY_OVERHEAD} per entry). */
    public synchronized long bytes() {
        return bytes;
    }

    public synchronized int size() {
        return pages.size();
    }

    public long maxBytes() {
        return maxBytes;
    }
}
