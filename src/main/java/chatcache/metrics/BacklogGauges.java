package chatcache.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Two gauges of one backlog, read from its store on scrape: how many wait, and how old the oldest
 * is. A store that is down gives NaN (the scrape itself never fails), and both values come from
 * one sample kept for a second, so that a scrape asks each store once and waits for a store that
 * is down (its connect timeout) once, not once per gauge.
 */
final class BacklogGauges {
    private static final long FRESH_MILLIS = 1_000;

    private final Supplier<Long> size;
    private final Supplier<Long> oldestMillis;
    private final LongSupplier now;
    private boolean sampled;
    private long sampledAt;
    private double lastSize = Double.NaN;
    private double lastAgeSeconds = Double.NaN;

    private BacklogGauges(Supplier<Long> size, Supplier<Long> oldestMillis, LongSupplier now) {
        this.size = size;
        this.oldestMillis = oldestMillis;
        this.now = now;
    }

    /**
     * Registers {@code <name>.backlog} (in {@code unit}) and {@code <name>.oldest.age} (seconds; 0
     * when nothing waits).
     *
     * @param oldestMillis when the oldest waiting item was made (epoch ms), or null if none waits
     * @param now          the clock the store's timestamps were taken with (epoch ms)
     */
    static void register(MeterRegistry registry, String name, String unit, String what,
                         Supplier<Long> size, Supplier<Long> oldestMillis, LongSupplier now) {
        BacklogGauges gauges = new BacklogGauges(size, oldestMillis, now);
        // why strong references: by default a gauge holds its object weakly, and nothing else holds these
        Gauge.builder(name + ".backlog", gauges, BacklogGauges::size)
                .baseUnit(unit).description(what + " waiting").strongReference(true).register(registry);
        Gauge.builder(name + ".oldest.age", gauges, BacklogGauges::ageSeconds)
                .baseUnit("seconds").description("age of the oldest of the " + what + " waiting (0 when none waits)")
                .strongReference(true).register(registry);
    }

    private synchronized double size() {
        sample();
        return lastSize;
    }

    private synchronized double ageSeconds() {
        sample();
        return lastAgeSeconds;
    }

    private void sample() {
        long at = now.getAsLong();
        if (sampled && at - sampledAt >= 0 && at - sampledAt < FRESH_MILLIS) {
            return;
        }
        sampled = true;
        sampledAt = at;
        try {
            long n = size.get();
            Long oldest = n == 0 ? null : oldestMillis.get();
            lastSize = n;
            lastAgeSeconds = oldest == null ? 0 : Math.max(0, at - oldest) / 1000.0;
        } catch (RuntimeException e) {
            lastSize = Double.NaN;
            lastAgeSeconds = Double.NaN;
        }
    }
}
