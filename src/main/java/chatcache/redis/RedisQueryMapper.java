package chatcache.redis;

import chatcache.query.MessageField;
import chatcache.query.Slice;

import java.util.List;

/**
 * A slice's time window to the arguments of FT.SEARCH, in protocol order: the chat (and author)
 * as TAG matches, createdAt restricted to the window, sorted by the order key, and the page cut
 * out of the window by offset and count.
 */
final class RedisQueryMapper {
    private RedisQueryMapper() {
    }

    /** The part of the chat a page lies in: createdAt in [fromMillis, toMillis], then skip, take. */
    record Window(long fromMillis, long toMillis, long skip, int take) {
    }

    static List<String> toSearchArgs(String index, Slice slice, Window window) {
        RediSearchQuery query = new RediSearchQuery().tagEquals(MessageField.CHAT_ID, slice.chatId());
        slice.authorId().ifPresent(author -> query.tagEquals(MessageField.USER_ID, author));
        query.numericRange(MessageField.CREATED_AT, window.fromMillis(), window.toMillis());
        return List.of(index, query.render(),
                "SORTBY", MessageField.SORT_KEY.redisField(), "DESC",
                "LIMIT", Long.toString(window.skip()), Integer.toString(window.take()));
    }
}
