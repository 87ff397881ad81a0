package chatcache.redis;

import java.util.Optional;

/**
 * Per-chat and per-(chat, author) sorted sets of sort keys, all with score 0, so that Redis keeps
 * them in lexicographic order, which is {@link chatcache.query.MessageOrder}. They find the
 * bounds of any page in O(log n) (ZRANGEBYLEX), so that FT.SEARCH only ever looks at a window
 * of about one page, whatever the size of the chat or the depth of the page.
 */
final class OrderSets {
    private static final String PREFIX = "order:chat:";
    /** The greatest id part of a sort key: "every message of that millisecond". */
    private static final String LAST_ID_OF_MILLI = "9999999999999999999";

    private OrderSets() {
    }

    static String chatKey(long chatId) {
        return PREFIX + chatId;
    }

    static String authorKey(long chatId, long authorId) {
        return PREFIX + chatId + ":user:" + authorId;
    }

    static String key(long chatId, Optional<Long> authorId) {
        return authorId.map(a -> authorKey(chatId, a)).orElseGet(() -> chatKey(chatId));
    }

    /** The lexicographic upper bound of every sort key in the millisecond of this one. */
    static String endOfMillisecond(String sortKey) {
        return sortKey.substring(0, 13) + LAST_ID_OF_MILLI;
    }
}
