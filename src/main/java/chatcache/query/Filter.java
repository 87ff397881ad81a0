package chatcache.query;

import chatcache.core.Message;

import java.util.List;
import java.util.TreeSet;

/**
 * One condition on a chat's messages, beyond the chat itself. Filters combine with AND. Each
 * knows which messages it admits ({@link #matches}), which is what the pager, the oracles of the
 * tests and both backends' mappers agree on.
 *
 * <p>Adding one means: a record here (its {@code matches}); a case in each exhaustive switch, which
 * the compiler asks for: {@code mysql/SliceSql.appendFilters}, {@code redis/RedisQueryMapper.query},
 * {@code redis/OrderWalk.withoutOrder} (the planner), {@code message/HotPages.keepable} (whether
 * its pages may be kept in memory), {@code FilterFieldsTest} (its request
 * fields); the request fields themselves in {@code web/MessageHandlers} and in the
 * {@code PageRequest} schema of {@code src/main/resources/openapi.json} (FilterFieldsTest checks
 * they are there); and contract cases ({@code MessageQueryContract}).
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

    /**
     * Messages whose {@code read} flag is this value: read once someone other than the author has
     * fetched them. A page is chosen by the flags as they were before the fetch marks anything.
     */
    record Read(boolean read) implements Filter {
        @Override
        public boolean matches(Message m) {
            return m.read() == read;
        }
    }

    /**
     * Messages that contain every one of these words ({@link Words}: 1..{@value Words#MAX_QUERY_WORDS}
     * distinct words, kept sorted). Both stores index the words {@link Words#of} finds in a text,
     * so this test and theirs agree by construction.
     */
    record Text(List<String> words) implements Filter {
        public Text {
            if (words.isEmpty() || words.size() > Words.MAX_QUERY_WORDS) {
                throw new IllegalArgumentException("1.." + Words.MAX_QUERY_WORDS + " words");
            }
            for (String w : words) {
                if (!Words.of(w).equals(List.of(w))) {
                    throw new IllegalArgumentException("not a word: " + w);
                }
            }
            words = List.copyOf(new TreeSet<>(words));
        }

        /** The words of a search text (@throws IllegalArgumentException when it has none or too many). */
        public static Text of(String text) {
            return new Text(Words.query(text));
        }

        @Override
        public boolean matches(Message m) {
            return Words.of(m.text()).containsAll(words);
        }
    }

    /**
     * Messages a member has not read: written by others, and after their read marker
     * ({@code marker} null: none yet, so every message by others). The HTTP field
     * {@code unreadByMe} with the caller's marker as it was before the fetch.
     */
    record UnreadBy(long userId, OrderKey marker) implements Filter {
        public UnreadBy {
            if (userId <= 0) {
                throw new IllegalArgumentException("a member's id is positive");
            }
        }

        @Override
        public boolean matches(Message m) {
            return m.userId() != userId && (marker == null || new OrderKey(m.createdAt(), m.id()).compareTo(marker) > 0);
        }

        /** Whether a message at this place is after the marker. */
        public boolean above(OrderKey place) {
            return marker == null || place.compareTo(marker) > 0;
        }
    }
}
