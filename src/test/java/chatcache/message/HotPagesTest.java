package chatcache.message;

import chatcache.query.Filter;
import chatcache.query.Position;
import chatcache.query.SearchCriteria;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bound and the version rule of pages kept in memory (no servers: the cache is this process's own). */
class HotPagesTest {
    private static SearchCriteria latest(long chat, int limit) {
        return new SearchCriteria(chat, List.of(), limit, Position.LATEST);
    }

    private static HotPages.Page page(int bytes, long version) {
        return new HotPages.Page(new byte[bytes], "redis", version);
    }

    @Test
    void aKeptPageIsServedOnlyAtTheVersionItWasReadAt() {
        HotPages pages = new HotPages(1 << 20);
        pages.put(latest(1, 20), page(100, 7));
        assertTrue(pages.get(latest(1, 20), 7).isPresent());
        assertTrue(pages.get(latest(1, 20), 8).isEmpty(), "the chat changed since");
        assertTrue(pages.get(latest(1, 21), 7).isEmpty(), "other criteria");
        pages.put(latest(1, 20), page(100, 6));
        assertTrue(pages.get(latest(1, 20), 7).isPresent(), "a slower request's older page does not replace a newer one");
        assertEquals(2, pages.hits());
        assertEquals(2, pages.misses());
    }

    @Test
    void itsBytesNeverPassTheBoundAndTheLeastRecentlyServedGoFirst() {
        long max = 50_000;
        HotPages pages = new HotPages(max);
        Random random = new Random(42);
        for (int i = 0; i < 5_000; i++) {
            pages.put(latest(1 + random.nextInt(300), 1 + random.nextInt(100)), page(random.nextInt(3_000), i));
            assertTrue(pages.bytes() <= max, "bytes " + pages.bytes() + " after " + i);
        }
        pages.put(latest(1_000, 5), page(10_000, 1));
        pages.put(latest(1_001, 5), page(10_000, 1));
        pages.get(latest(1_000, 5), 1); // served: the most recently used
        for (int i = 0; i < 3; i++) {
            pages.put(latest(2_000 + i, 5), page(10_000, 1));
        }
        assertTrue(pages.get(latest(1_000, 5), 1).isPresent(), "recently served: kept");
        assertTrue(pages.get(latest(1_001, 5), 1).isEmpty(), "least recently served: dropped");
        pages.put(latest(3_000, 5), page((int) max, 1));
        assertTrue(pages.get(latest(3_000, 5), 1).isEmpty(), "a page larger than the bound is not kept");
        assertTrue(pages.bytes() <= max);
    }

    @Test
    void offKeepsNothingAndPagesOfFiltersOnlyRediSearchTestsAreNotKept() {
        HotPages.OFF.put(latest(1, 20), page(10, 1));
        assertTrue(HotPages.OFF.get(latest(1, 20), 1).isEmpty());
        assertFalse(HotPages.OFF.enabled());
        assertTrue(HotPages.keepable(new SearchCriteria(1, List.of(Filter.Authors.of(3)), 5, Position.LATEST)));
        assertFalse(HotPages.keepable(new SearchCriteria(1, List.of(Filter.Text.of("word")), 5, Position.LATEST)));
        assertFalse(HotPages.keepable(new SearchCriteria(1, List.of(new Filter.Read(false)), 5, Position.LATEST)));
    }
}
