package chatcache.query;

import chatcache.message.Message;

import java.util.List;
import java.util.TreeSet;

/**
 * One condition on a chat's messages, beyond the chat itself. Filters combine with AND. Each
 * knows which messages it admits ({@link #matches}), which is what the pager, the oracles of the
 * tests and both backends' mappers agree on; adding one means a record here, one case in each
 * mapper ({@code SliceSql}, {@code RedisMessages}) and contract cases.
 */
public sealed interface Filter {

    boolean matches(Message m);

    /** Messages by any of these authors: 1..{@value #MAX_AUTHORS} distinct positive ids, kept sorted. */
    record Authors(List<Long> ids) implements Filter {
        public static final int MAX_AUTHORS = 20;

        public Authors {
            if (ids.isEmpty() || ids.size() > MAX_AUTHORS) {
                throw new IllegalArgumentException("1.." + MAX_AUTHORS + " authors");
            }
            TreeSet<Long> sorted = new TreeSet<>(ids);
            if (sorted.size() != ids.size() || sorted.first() <= 0) {
                throw new IllegalArgumentException("authors must be distinct positive ids");
            }
            ids = List.copyOf(sorted);
        }

        public static Authors of(long... ids) {
            return new Authors(java.util.Arrays.stream(ids).boxed().toList());
        }

        @Override
        public boolean matches(Message m) {
            return ids.contains(m.userId());
        }
    }

    /**
     * Messages created at or after {@code since} and before {@code until} (epoch milliseconds;
     * {@link Long#MIN_VALUE} and {@link Long#MAX_VALUE} for no bound).
     */
    record TimeRange(long since, long until) implements Filter {
        public TimeRange {
            if (since >= until) {
                throw new IllegalArgumentException("since must be before until");
            }
        }

        @Override
        public boolean matches(Message m) {
            return m.createdAt() >= since && m.createdAt() < until;
        }

        public boolean hasSince() {
            return since != Long.MIN_VALUE;
        }

        public boolean hasUntil() {
            return until != Long.MAX_VALUE;
        }
    }
}
