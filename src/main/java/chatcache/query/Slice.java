package chatcache.query;

import java.util.List;
import java.util.Optional;

/**
 * What a backend is asked for: up to {@code count} messages of a chat that pass the filters,
 * next to a place in the order, walking towards older or newer messages. Older slices come newest
 * first; newer slices come oldest first (nearest to {@code from} first, in both cases).
 */
public record Slice(long chatId, List<Filter> filters, Direction direction, Optional<OrderKey> from, int count) {

    public enum Direction { OLDER, NEWER }

    public Slice {
        if (direction == Direction.NEWER && from.isEmpty()) {
            throw new IllegalArgumentException("a newer slice starts at a message");
        }
        if (count < 1) {
            throw new IllegalArgumentException("count must be positive");
        }
        filters = SearchCriteria.normalized(filters);
    }

    /** Of one author, or all. */
    public Slice(long chatId, Optional<Long> authorId, Direction direction, Optional<OrderKey> from, int count) {
        this(chatId, authorId.map(a -> List.<Filter>of(Filter.Authors.of(a))).orElse(List.of()), direction, from, count);
    }

    /** The filter of this kind, if the slice has one. */
    public <F extends Filter> Optional<F> filter(Class<F> kind) {
        return filters.stream().filter(kind::isInstance).map(kind::cast).findFirst();
    }

    /** The author, when exactly one is asked for. */
    public Optional<Long> authorId() {
        return singleAuthor(filters);
    }

    static Optional<Long> singleAuthor(List<Filter> filters) {
        return filters.stream()
                .filter(f -> f instanceof Filter.Authors a && a.ids().size() == 1)
                .map(f -> ((Filter.Authors) f).ids().get(0))
                .findFirst();
    }
}
