package chatcache.support;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A clock the test sets, so that messages can share a millisecond on purpose. */
public final class TestClock extends Clock {
    public static final long START = 1_800_000_000_000L;

    private final AtomicLong millis = new AtomicLong(START);

    public void set(long epochMillis) {
        millis.set(epochMillis);
    }

    public long advance(long by) {
        return millis.addAndGet(by);
    }

    @Override
    public long millis() {
        return millis.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("tests use UTC");
    }
}
