package chatcache.redis;

import chatcache.query.Filter;
import chatcache.query.MessageField;
import chatcache.query.Slice;

import java.util.ArrayList;
import java.util.List;

/**
 * A slice to the arguments of FT.SEARCH, in protocol order: the chat and every filter of the
 * slice in the query (authors, read state and words as TAG matches, a time range as a NUMERIC
 * range). Two shapes: over the hashes the order index named (INKEYS), which bounds what
 * RediSearch looks at to those, whatever the chat's size; or over the whole chat within a time
 * range, returning only each match's time (for filters so rare that walking the order index
 * would cost more than listing their matches).
 */
final class RedisQueryMapper {
    /** The fields a page needs: everything but the words. */
    private static final List<String> RETURNED = List.of(MessageField.CHAT_ID.redisField(),
            MessageField.USER_ID.redisField(), MessageHash.TEXT, MessageField.CREATED_AT.redisField(),
            MessageHash.DATA, MessageField.READ.redisField());

    private RedisQueryMapper() {
    }

    /**
     * The slice's messages among these hashes, all of them, with the fields a page shows.
     *
     * @param readIndexed whether the index holds the current read state (see SearchIndex#holdsReadState)
     */
    static List<String> toSearchArgs(String index, Slice slice, List<String> hashKeys, boolean readIndexed) {
        List<String> args = new ArrayList<>(hashKeys.size() + 16);
        args.add(index);
        args.add(query(slice, Long.MIN_VALUE, Long.MAX_VALUE, readIndexed).render());
        args.add("INKEYS");
        args.add(Integer.toString(hashKeys.size()));
        args.addAll(hashKeys);
        args.add("RETURN");
        args.add(Integer.toString(RETURNED.size()));
        args.addAll(RETURNED);
        args.add("LIMIT");
        args.add("0");
        args.add(Integer.toString(hashKeys.size()));
        return args;
    }

    /**
     * The slice's messages of the whole chat created in [{@code min}, {@code max}] (inclusive),
     * at most {@code max} of them, each with its time only (and its read state, where the index
     * may not hold it); the reply's total tells whether that was all.
     */
    static List<String> candidateArgs(String index, Slice slice, long min, long max, int limit, boolean readIndexed) {
        List<String> args = new ArrayList<>(List.of(index, query(slice, min, max, readIndexed).render()));
        if (readIndexed || slice.filter(Filter.Read.class).isEmpty()) {
            args.addAll(List.of("RETURN", "1", MessageField.CREATED_AT.redisField()));
        } else {
            args.addAll(List.of("RETURN", "2", MessageField.CREATED_AT.redisField(), MessageField.READ.redisField()));
        }
        args.addAll(List.of("LIMIT", "0", Integer.toString(limit)));
        return args;
    }

    /**
     * The chat, every filter, and the time range narrowed to [{@code min}, {@code max}]. why one
     * exhaustive switch: a filter added to {@link Filter} without a case here does not compile.
     */
    private static RediSearchQuery query(Slice slice, long min, long max, boolean readIndexed) {
        RediSearchQuery query = new RediSearchQuery().tagEquals(MessageField.CHAT_ID, slice.chatId());
        for (Filter filter : slice.filters()) {
            switch (filter) {
                case Filter.Authors authors -> {
                    if (authors.ids().size() == 1) {
                        query.tagEquals(MessageField.USER_ID, authors.ids().get(0));
                    } else {
                        query.tagIn(MessageField.USER_ID, authors.ids());
                    }
                }
                case Filter.TimeRange range -> {
                    min = Math.max(min, range.since());
                    max = Math.min(max, range.hasUntil() ? range.until() - 1 : Long.MAX_VALUE);
                }
                case Filter.Read read -> {
                    // where the index may lag (1.x), "unread" there is a superset of the truth, and
                    // "read" is tested on the hashes alone
                    if (readIndexed || !read.read()) {
                        query.tagEquals(MessageField.READ, read.read() ? 1 : 0);
                    }
                }
                case Filter.Text text -> query.tagAll(MessageField.WORDS, text.words());
                case Filter.UnreadBy unread -> {
                    // the marker's millisecond and later: a superset, the marker's key cuts it exactly
                    // where keys are walked (OrderWalk.admitted) and where documents are read (matches)
                    query.tagNot(MessageField.USER_ID, unread.userId());
                    if (unread.marker() != null) {
                        min = Math.max(min, unread.marker().createdAt());
                    }
                }
            }
        }
        if (min != Long.MIN_VALUE || max != Long.MAX_VALUE) {
            query.numericBetween(MessageField.CREATED_AT, min, max);
        }
        return query;
    }
}
