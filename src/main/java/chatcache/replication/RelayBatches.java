package chatcache.replication;

/**
 * Told the size of each batch the relays carry, for metrics. why an interface of our own: the
 * relays stay free of any metrics library, and tests and tools pass {@link #NONE}.
 */
public interface RelayBatches {
    RelayBatches NONE = new RelayBatches() {
        @Override
        public void outbox(int entries) {
        }

        @Override
        public void readMarks(int marks) {
        }
    };

    /** The outbox relay re-sent this many entries (rows) from MySQL to Redis in one batch. */
    void outbox(int entries);

    /** The read-mark relay applied a batch marking this many messages read in MySQL. */
    void readMarks(int marks);
}
