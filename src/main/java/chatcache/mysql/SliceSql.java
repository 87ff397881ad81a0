package chatcache.mysql;

import chatcache.message.Explain;
import chatcache.query.Filter;
import chatcache.query.OrderKey;
import chatcache.query.Slice;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static chatcache.query.MessageField.CHAT_ID;
import static chatcache.query.MessageField.CREATED_AT;
import static chatcache.query.MessageField.ID;
import static chatcache.query.MessageField.READ;
import static chatcache.query.MessageField.USER_ID;
import static chatcache.query.MessageField.WORDS;

/**
 * A {@link Slice} as one keyset SQL query: fixed text built from allow-listed column names, every
 * value a bound parameter (the row count, an int of ours, is written in).
 *
 * <p>why native SQL with FORCE INDEX: for {@code chat_id = ? AND (created_at < ? OR ...) ORDER BY
 * created_at DESC, id DESC LIMIT n} MariaDB 10.11 picks a "ref" scan on chat_id and walks the
 * chat from its newest message (135,000 rows read for 21 at 150,000 deep, 170 ms); forced to the
 * order index it reads a range of exactly n rows (0.1 ms). JPA criteria cannot say FORCE INDEX,
 * and Hibernate's index hint for MySQL is only USE INDEX, which does not change that plan.
 *
 * <p>Filters: one author reads its own index range; several authors are a UNION ALL of one such
 * range of at most n rows per author, merged and cut to n (bounded however rare each author is);
 * a time range narrows the same index range ({@code created_at} is its second column); a read
 * state without authors reads the chat's range of that state, with authors it is tested on the
 * authors' rows. Words are read from {@code message_words}: the range of one word (the longest,
 * as the likeliest to be rare) in time order, each further word one primary-key lookup, and the
 * other filters tested on the message row.
 */
record SliceSql(String sql, Map<String, Object> parameters) {
    /** Index names from schema/mysql (V1__baseline.sql). */
    static final String CHAT_ORDER_INDEX = "ix_messages_chat_order";
    static final String CHAT_USER_ORDER_INDEX = "ix_messages_chat_user_order";
    static final String CHAT_READ_ORDER_INDEX = "ix_messages_chat_read_order";
    private static final java.util.regex.Pattern NAMED_PARAMETER = java.util.regex.Pattern.compile(":(\\w+)");

    static SliceSql of(Slice slice) {
        Map<String, Object> params = new LinkedHashMap<>();
        List<Long> authors = slice.filter(Filter.Authors.class).map(Filter.Authors::ids).orElse(List.of());
        if (slice.filter(Filter.Text.class).isPresent()) {
            return new SliceSql(byWords(slice, params), params);
        }
        if (authors.size() <= 1) {
            return new SliceSql(select(slice, authors.isEmpty() ? null : authors.get(0), "author", params), params);
        }
        StringBuilder sql = new StringBuilder("SELECT u.* FROM (");
        for (int i = 0; i < authors.size(); i++) {
            sql.append(i == 0 ? "(" : " UNION ALL (")
                    .append(select(slice, authors.get(i), "author" + i, params))
                    .append(" LIMIT ").append(slice.count()).append(')');
        }
        sql.append(") u").append(orderBy(slice, "u"));
        return new SliceSql(sql.toString(), params);
    }

    /** The statement as sent, with {@code ?} for each named parameter in order, and Hibernate's row limit. */
    Explain.Statement positional(int limit) {
        java.util.regex.Matcher m = NAMED_PARAMETER.matcher(sql);
        StringBuilder text = new StringBuilder();
        List<Object> values = new java.util.ArrayList<>();
        while (m.find()) {
            values.add(parameters.get(m.group(1)));
            m.appendReplacement(text, "?");
        }
        m.appendTail(text);
        values.add(limit);
        return new Explain.Statement(text + " LIMIT ?", values);
    }

    /** The slice's rows of one author (or of all, when {@code author} is null) along its index. */
    private static String select(Slice slice, Long author, String authorParam, Map<String, Object> params) {
        Optional<Filter.Read> read = slice.filter(Filter.Read.class);
        StringBuilder sql = new StringBuilder("SELECT m.* FROM messages m FORCE INDEX (")
                .append(author != null ? CHAT_USER_ORDER_INDEX : read.isPresent() ? CHAT_READ_ORDER_INDEX : CHAT_ORDER_INDEX)
                .append(") WHERE m.").append(CHAT_ID.column()).append(" = :chat");
        params.put("chat", slice.chatId());
        if (author != null) {
            sql.append(" AND m.").append(USER_ID.column()).append(" = :").append(authorParam);
            params.put(authorParam, author);
        }
        appendFilters(slice, sql, "m." + CREATED_AT.column(), "m." + ID.column(), false, params);
        appendKeyset(slice, sql, "m." + CREATED_AT.column(), "m." + ID.column(), params);
        return sql.append(orderBy(slice, "m")).toString();
    }

    /**
     * The slice along one word's range of {@code message_words} (w), joined to its message rows;
     * further words must have a row of the same message, the other filters hold on the message.
     */
    private static String byWords(Slice slice, Map<String, Object> params) {
        List<String> words = slice.filter(Filter.Text.class).orElseThrow().words();
        String leading = words.stream().max(java.util.Comparator.comparingInt(String::length)
                .thenComparing(java.util.Comparator.reverseOrder())).orElseThrow();
        String table = WORDS.table();
        StringBuilder sql = new StringBuilder("SELECT m.* FROM ").append(table).append(" w FORCE INDEX (PRIMARY) JOIN messages m ON m.")
                .append(ID.column()).append(" = w.message_id WHERE w.chat_id = :chat AND w.").append(WORDS.column()).append(" = :word");
        params.put("chat", slice.chatId());
        params.put("word", leading);
        int n = 0;
        for (String word : words) {
            if (!word.equals(leading)) {
                String p = "word" + (++n);
                sql.append(" AND EXISTS (SELECT 1 FROM ").append(table).append(" w").append(n).append(" WHERE w").append(n)
                        .append(".chat_id = w.chat_id AND w").append(n).append('.').append(WORDS.column()).append(" = :").append(p)
                        .append(" AND w").append(n).append(".created_at = w.created_at AND w").append(n)
                        .append(".message_id = w.message_id)");
                params.put(p, word);
            }
        }
        appendFilters(slice, sql, "w.created_at", "w.message_id", true, params);
        appendKeyset(slice, sql, "w.created_at", "w.message_id", params);
        String direction = slice.direction() == Slice.Direction.OLDER ? " DESC" : " ASC";
        return sql.append(" ORDER BY w.created_at").append(direction).append(", w.message_id").append(direction).toString();
    }

    /**
     * Every filter's condition, on these order columns (t, idColumn). why one exhaustive switch:
     * a filter added to {@link Filter} without a case here does not compile, so none is dropped
     * silently. The plan has already used some: the authors chose the index range (unless
     * {@code authorsAsCondition}: the words' plan tests them on the row), the words chose the
     * words' plan.
     */
    private static void appendFilters(Slice slice, StringBuilder sql, String t, String idColumn, boolean authorsAsCondition,
                                      Map<String, Object> params) {
        for (Filter filter : slice.filters()) {
            switch (filter) {
                case Filter.Authors authors -> {
                    if (authorsAsCondition) {
                        sql.append(" AND m.").append(USER_ID.column()).append(" IN (");
                        for (int i = 0; i < authors.ids().size(); i++) {
                            sql.append(i == 0 ? ":author" : ", :author").append(i);
                            params.put("author" + i, authors.ids().get(i));
                        }
                        sql.append(')');
                    }
                }
                case Filter.Read read -> {
                    sql.append(" AND m.").append(READ.column()).append(" = :read");
                    params.put("read", read.read());
                }
                case Filter.TimeRange range -> {
                    if (range.hasSince()) {
                        sql.append(" AND ").append(t).append(" >= :since");
                        params.put("since", range.since());
                    }
                    if (range.hasUntil()) {
                        sql.append(" AND ").append(t).append(" < :until");
                        params.put("until", range.until());
                    }
                }
                case Filter.Text text -> {
                    // the plan: the words' rows are what is read (byWords)
                }
                case Filter.UnreadBy unread -> {
                    sql.append(" AND m.").append(USER_ID.column()).append(" <> :me");
                    params.put("me", unread.userId());
                    if (unread.marker() != null) {
                        sql.append(" AND (").append(t).append(" > :markT OR (").append(t).append(" = :markT AND ")
                                .append(idColumn).append(" > :markId))");
                        params.put("markT", unread.marker().createdAt());
                        params.put("markId", unread.marker().id());
                    }
                }
            }
        }
    }

    /** Where the slice starts: after its anchor's place in the order, on these order columns. */
    private static void appendKeyset(Slice slice, StringBuilder sql, String t, String idColumn, Map<String, Object> params) {
        boolean older = slice.direction() == Slice.Direction.OLDER;
        String beyond = older ? " < " : " > ";
        if (slice.from().isPresent()) {
            OrderKey from = slice.from().get();
            sql.append(" AND (").append(t).append(beyond).append(":t OR (").append(t).append(" = :t AND ")
                    .append(idColumn).append(beyond).append(":id))");
            params.put("t", from.createdAt());
            params.put("id", from.id());
        }
    }

    private static String orderBy(Slice slice, String table) {
        String direction = slice.direction() == Slice.Direction.OLDER ? " DESC" : " ASC";
        return " ORDER BY " + table + "." + CREATED_AT.column() + direction + ", " + table + "." + ID.column() + direction;
    }
}
