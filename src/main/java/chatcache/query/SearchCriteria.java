package chatcache.query;

import chatcache.core.Message;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a reader asks for, independent of any backend: the messages of one chat that pass every
 * {@link Filter}, newest first ({@link MessageOrder}), at most {@code limit} of them, taken at a
 * {@link Position} (the newest, or next to an anchor message). Each backend has one mapper that
 * turns this into its own query.
 */
public record SearchCriteria(long chatId, List<Filter> filters, int limit, Position position) {
    public static final int DEFAULT_LIMIT = 20;
    public static final int MAX_LIMIT = 100;

    public SearchCriteria {
        Objects.requireNonNull(position, "position");
        if (chatId <= 0) {
            throw new IllegalArgumentException("chatId must be positive");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT);
        }
        filters = normalized(filters);
    }

    /** Messages of one author, or all. */
    public SearchCriteria(long chatId, Optional<Long> authorId, int limit, Position position) {
        this(chatId, authorId.map(a -> List.<Filter>of(Filter.Authors.of(a))).orElse(List.of()), limit, position);
    }

    /** The newest messages. */
    public SearchCriteria(long chatId, Optional<Long> authorId, int limit) {
        this(chatId, authorId, limit, Position.LATEST);
    }

    /** {@link #of(long, Integer, boolean, Long, Position, Optional)} for the newest messages. */
    public static SearchCriteria of(long chatId, Integer limit, boolean onlyOwn, Long userId, Optional<Long> self) {
        return of(chatId, limit, onlyOwn, userId, Position.LATEST, self);
    }

    /** With one author ({@code userId}) or none. */
    public static SearchCriteria of(long chatId, Integer limit, boolean onlyOwn, Long userId, Position position,
                                    Optional<Long> self) {
        List<Filter> filters = userId == null ? List.of() : List.of(Filter.Authors.of(userId));
        return of(chatId, limit, onlyOwn, filters, position, self);
    }

    /**
     * The one place where request parameters become criteria. {@code onlyOwn} wins over any
     * authors asked for and means "authored by the caller"; it needs a signed-in caller.
     *
     * @param self the signed-in caller's user id; empty for an anonymous caller
     *
     * @throws CallerRequiredException when {@code onlyOwn} is asked for anonymously
     */
    public static SearchCriteria of(long chatId, Integer limit, boolean onlyOwn, List<Filter> requested,
                                    Position position, Optional<Long> self) {
        List<Filter> filters = new ArrayList<>(requested);
        if (onlyOwn) {
            long me = self.orElseThrow(() -> new CallerRequiredException("onlyOwn needs a signed-in caller"));
            filters.removeIf(f -> f instanceof Filter.Authors);
            filters.add(Filter.Authors.of(me));
        }
        return new SearchCriteria(chatId, filters, limit == null ? DEFAULT_LIMIT : limit, position);
    }

    /** Whether a message is one these criteria ask for (its chat, every filter). */
    public boolean matches(Message m) {
        return m.chatId() == chatId && filters.stream().allMatch(f -> f.matches(m));
    }

    /** The author, when exactly one is asked for. */
    public Optional<Long> authorId() {
        return Slice.singleAuthor(filters);
    }

    /** A slice of this chat with these filters. */
    public Slice slice(Slice.Direction direction, Optional<OrderKey> from, int count) {
        return new Slice(chatId, filters, direction, from, count);
    }

    /** At most one filter of each kind, in a fixed order (so equal criteria are equal records). */
    static List<Filter> normalized(List<Filter> filters) {
        List<Filter> sorted = new ArrayList<>(filters);
        sorted.sort(java.util.Comparator.comparing(f -> f.getClass().getSimpleName()));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).getClass() == sorted.get(i - 1).getClass()) {
                throw new IllegalArgumentException("two filters of one kind: " + sorted.get(i).getClass().getSimpleName());
            }
        }
        return List.copyOf(sorted);
    }

    /** Raised when criteria need a caller and the request has none. */
    public static final class CallerRequiredException extends RuntimeException {
        public CallerRequiredException(String message) {
            super(message);
        }
    }
}
