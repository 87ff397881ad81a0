package chatcache.query;

import chatcache.user.Caller;

import java.util.Objects;
import java.util.Optional;

/**
 * What a reader asks for, independent of any backend: the messages of one chat, optionally only
 * those of one author, newest first ({@link MessageOrder}), at most {@code limit} of them, taken
 * at a {@link Position} (the newest, or next to an anchor message).
 * Each backend has one mapper that turns this into its own query.
 */
public record SearchCriteria(long chatId, Optional<Long> authorId, int limit, Position position) {
    public static final int DEFAULT_LIMIT = 20;
    public static final int MAX_LIMIT = 100;

    public SearchCriteria {
        Objects.requireNonNull(authorId, "authorId");
        Objects.requireNonNull(position, "position");
        if (chatId <= 0) {
            throw new IllegalArgumentException("chatId must be positive");
        }
        authorId.ifPresent(a -> {
            if (a <= 0) {
                throw new IllegalArgumentException("authorId must be positive");
            }
        });
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT);
        }
    }

    /** The newest messages. */
    public SearchCriteria(long chatId, Optional<Long> authorId, int limit) {
        this(chatId, authorId, limit, Position.LATEST);
    }

    /** {@link #of(long, Integer, boolean, Long, Position, Caller)} for the newest messages. */
    public static SearchCriteria of(long chatId, Integer limit, boolean onlyOwn, Long userId, Caller caller) {
        return of(chatId, limit, onlyOwn, userId, Position.LATEST, caller);
    }

    /**
     * The one place where request parameters become criteria. {@code onlyOwn} wins over
     * {@code userId} and means "authored by the caller"; it needs a signed-in caller.
     *
     * @throws CallerRequiredException when {@code onlyOwn} is asked for anonymously
     */
    public static SearchCriteria of(long chatId, Integer limit, boolean onlyOwn, Long userId, Position position,
                                    Caller caller) {
        Optional<Long> author;
        if (onlyOwn) {
            author = Optional.of(caller.user()
                    .orElseThrow(() -> new CallerRequiredException("onlyOwn needs a signed-in caller"))
                    .id());
        } else {
            author = Optional.ofNullable(userId);
        }
        return new SearchCriteria(chatId, author, limit == null ? DEFAULT_LIMIT : limit, position);
    }

    /** A slice of this chat and author filter. */
    public Slice slice(Slice.Direction direction, Optional<OrderKey> from, int count) {
        return new Slice(chatId, authorId, direction, from, count);
    }

    /** Raised when criteria need a caller and the request has none. */
    public static final class CallerRequiredException extends RuntimeException {
        public CallerRequiredException(String message) {
            super(message);
        }
    }
}
