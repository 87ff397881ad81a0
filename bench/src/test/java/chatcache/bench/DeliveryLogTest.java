package chatcache.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The live-events bookkeeping: every (post, subscriber of its chat) pair, once. */
class DeliveryLogTest {
    private static final long MS = 1_000_000L;

    /** Subscribers 0 and 1 follow chat 7, subscriber 2 chat 8. */
    private static DeliveryLog log() {
        return new DeliveryLog(new long[] {7, 7, 8});
    }

    @Test
    void everyFollowerOfTheChatGetsEveryPostAndLatencyIsReceiveMinusSend() {
        DeliveryLog d = log();
        d.posted(7, 100, 10 * MS);
        d.posted(8, 101, 20 * MS);
        d.received(1, 100, 13 * MS); // before the poster recorded it would do as well: the tally joins at the end
        d.received(0, 100, 11 * MS);
        d.received(2, 101, 25 * MS);
        DeliveryLog.Tally t = d.tally();
        assertTrue(t.exact(), t.toString());
        assertEquals(2, t.posts());
        assertEquals(3, t.delivered());
        assertArrayEquals(new long[] {1 * MS, 3 * MS, 5 * MS}, t.latencyNanos());
        assertEquals(3.0, t.p50Millis());
        assertEquals(5.0, t.p99Millis());
        assertEquals(5.0, t.maxMillis());
    }

    @Test
    void aFollowerThatDidNotGetAPostIsMissing() {
        DeliveryLog d = log();
        d.posted(7, 100, 0);
        d.received(0, 100, MS);
        DeliveryLog.Tally t = d.tally();
        assertEquals(1, t.missing());
        assertFalse(t.exact());
        assertTrue(t.firstMissing().contains("message 100") && t.firstMissing().contains("subscriber 1"), t.firstMissing());
    }

    @Test
    void aDeliveryTwiceIsADuplicateAndCountsOnce() {
        DeliveryLog d = log();
        d.posted(8, 101, 0);
        d.received(2, 101, 2 * MS);
        d.received(2, 101, 9 * MS);
        DeliveryLog.Tally t = d.tally();
        assertEquals(1, t.duplicates());
        assertEquals(1, t.delivered());
        assertEquals(2.0, t.maxMillis(), "the first receipt counts");
        assertFalse(t.exact());
    }

    @Test
    void anEventOfAnotherChatOrOfNoPostIsUnexpected() {
        DeliveryLog d = log();
        d.posted(8, 101, 0);
        d.received(2, 101, MS);
        d.received(0, 101, MS); // subscriber 0 follows chat 7
        d.received(1, 555, MS); // no such post
        DeliveryLog.Tally t = d.tally();
        assertEquals(2, t.unexpected());
        assertEquals(0, t.missing());
        assertFalse(t.exact());
    }

    @Test
    void thePostersReadTheIdOfA201() {
        assertEquals(4711, EventPosts.idOf("{\"id\":4711,\"chatId\":7}".getBytes()));
        assertEquals(-1, EventPosts.idOf("{\"chatId\":7,\"id\":4711}".getBytes()));
        assertEquals(-1, EventPosts.idOf("{\"id\":\"x\"}".getBytes()));
    }
}
