package chatcache.metrics;

import chatcache.replication.RelayBatches;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The relays' batch sizes as distributions: {@code chatcache_outbox_relay_batch_entries} and
 * {@code chatcache_readmarks_relay_batch_marks} (Prometheus names).
 */
public final class RelayMetrics implements RelayBatches {
    private final DistributionSummary outbox;
    private final DistributionSummary readMarks;

    public RelayMetrics(MeterRegistry registry) {
        this.outbox = summary(registry, "chatcache.outbox.relay.batch", "entries",
                "outbox rows re-sent from MySQL to Redis per batch");
        this.readMarks = summary(registry, "chatcache.readmarks.relay.batch", "marks",
                "messages marked read in MySQL per batch the read-mark relay applied");
    }

    private static DistributionSummary summary(MeterRegistry registry, String name, String unit, String what) {
        return DistributionSummary.builder(name)
                .baseUnit(unit)
                .description(what)
                // why fixed buckets: batches hold 1..500 (outbox) or 1..~100 marks (read marks);
                // buckets let Prometheus compute quantiles, also across instances
                .serviceLevelObjectives(1, 2, 5, 10, 20, 50, 100, 200, 500)
                .register(registry);
    }

    @Override
    public void outbox(int entries) {
        outbox.record(entries);
    }

    @Override
    public void readMarks(int marks) {
        readMarks.record(marks);
    }
}
