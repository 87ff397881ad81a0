package chatcache.query;

/**
 * The one order of messages, on both backends: newest first, that is {@code createdAt}
 * descending, then {@code id} descending among messages of the same millisecond. It is a total
 * order because ids are unique.
 *
 * <p>why: RediSearch sorts by one field only, so Redis stores the order as one sortable string,
 * {@link #sortKey}: the 13-digit creation millisecond followed by the 19-digit id, both
 * zero-padded, so comparing the strings compares (createdAt, id). MySQL sorts by the two columns.
 */
public final class MessageOrder {
    private MessageOrder() {
    }

    /** Greatest epoch millisecond the sort key can hold (year 2286). */
    public static final long MAX_CREATED_AT = 9_999_999_999_999L;

    public static String sortKey(long createdAtMillis, long id) {
        if (createdAtMillis < 0 || createdAtMillis > MAX_CREATED_AT) {
            throw new IllegalArgumentException("createdAt out of range: " + createdAtMillis);
        }
        if (id <= 0) {
            throw new IllegalArgumentException("id must be positive: " + id);
        }
        // why: String.format showed in profiles; this runs for every message written or returned
        char[] key = new char[32];
        writeDigits(key, 0, 13, createdAtMillis);
        writeDigits(key, 13, 19, id);
        return new String(key);
    }

    private static void writeDigits(char[] into, int from, int width, long value) {
        for (int i = from + width - 1; i >= from; i--) {
            into[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }
}
