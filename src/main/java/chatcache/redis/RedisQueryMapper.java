package chatcache.redis;

import chatcache.query.Filter;
import chatcache.query.MessageField;
import chatcache.query.Slice;

import java.util.ArrayList;
import java.util.List;

/**
 * A slice to the arguments of FT.SEARCH, in protocol order: the chat and the slice's filters
 * (authors as TAG matches, a time range as a NUMERIC range), restricted to the hashes the order index named for the page (INKEYS), all of them
 * returned. why INKEYS: RediSearch then looks at the page's documents only, so the cost does not
 * grow with the chat or with messages sharing a millisecond, and no sort field is needed.
 */
final class RedisQueryMapper {
    private RedisQueryMapper() {
    }

    static List<String> toSearchArgs(String index, Slice slice, List<String> hashKeys) {
        RediSearchQuery query = new RediSearchQuery().tagEquals(MessageField.CHAT_ID, slice.chatId());
        for (Filter filter : slice.filters()) {
            if (filter instanceof Filter.Authors authors) {
                if (authors.ids().size() == 1) {
                    query.tagEquals(MessageField.USER_ID, authors.ids().get(0));
                } else {
                    query.tagIn(MessageField.USER_ID, authors.ids());
                }
            } else if (filter instanceof Filter.TimeRange range) {
                query.numericBetween(MessageField.CREATED_AT, range.since(),
                        range.hasUntil() ? range.until() - 1 : Long.MAX_VALUE);
            }
        }
        List<String> args = new ArrayList<>(hashKeys.size() + 8);
        args.add(index);
        args.add(query.render());
        args.add("INKEYS");
        args.add(Integer.toString(hashKeys.size()));
        args.addAll(hashKeys);
        args.add("LIMIT");
        args.add("0");
        args.add(Integer.toString(hashKeys.size()));
        return args;
    }
}
