package chatcache.query;

/**
 * The one order of messages, on both backends: newest first, that is {@code createdAt}
 * descending, then {@code id} descending among messages of the same millisecond. It is a total
 * order because ids are unique.
 *
 * <p>why: Redis keeps the order as one string per message, {@link #sortKey}, in lexicographically
 * sorted sets; comparing two sort keys compares (createdAt, id). MySQL sorts by the two columns.
 * The key is the millisecond in 8 and the id in 11 digits of base 64, over an alphabet in ASCII
 * order, so that byte order is number order: 19 characters instead of the 32 of decimal, which
 * keeps each key within jemalloc's 24-byte size class (see README, Memory).
 */
public final class MessageOrder {
    private MessageOrder() {
    }

    /** Greatest epoch millisecond accepted (year 2286; the key could hold 2^48 - 1). */
    public static final long MAX_CREATED_AT = 9_999_999_999_999L;
    /** 64 characters in ascending ASCII order. */
    static final String DIGITS = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
    static final int TIME_DIGITS = 8;
    static final int ID_DIGITS = 11;
    public static final int SORT_KEY_LENGTH = TIME_DIGITS + ID_DIGITS;

    public static String sortKey(long createdAtMillis, long id) {
        if (createdAtMillis < 0 || createdAtMillis > MAX_CREATED_AT) {
            throw new IllegalArgumentException("createdAt out of range: " + createdAtMillis);
        }
        if (id <= 0) {
            throw new IllegalArgumentException("id must be positive: " + id);
        }
        char[] key = new char[SORT_KEY_LENGTH];
        writeDigits(key, 0, TIME_DIGITS, createdAtMillis);
        writeDigits(key, TIME_DIGITS, ID_DIGITS, id);
        return new String(key);
    }

    /**
     * The key just below every message created at this millisecond and above every older one
     * (the sort key of id 0, which no message has): a time bound in an order index.
     */
    public static String timeBound(long createdAtMillis) {
        if (createdAtMillis < 0 || createdAtMillis > MAX_CREATED_AT) {
            throw new IllegalArgumentException("createdAt out of range: " + createdAtMillis);
        }
        char[] key = new char[SORT_KEY_LENGTH];
        writeDigits(key, 0, TIME_DIGITS, createdAtMillis);
        writeDigits(key, TIME_DIGITS, ID_DIGITS, 0);
        return new String(key);
    }

    /** The (createdAt, id) a sort key was made of. */
    static OrderKey parse(String sortKey) {
        if (sortKey.length() != SORT_KEY_LENGTH) {
            throw new IllegalArgumentException("not a sort key: " + sortKey);
        }
        long createdAt = readDigits(sortKey, 0, TIME_DIGITS);
        long id = readDigits(sortKey, TIME_DIGITS, ID_DIGITS);
        if (createdAt > MAX_CREATED_AT || id <= 0) {
            throw new IllegalArgumentException("not a sort key: " + sortKey);
        }
        return new OrderKey(createdAt, id);
    }

    private static void writeDigits(char[] into, int from, int width, long value) {
        for (int i = from + width - 1; i >= from; i--) {
            into[i] = DIGITS.charAt((int) (value & 63));
            value >>>= 6;
        }
    }

    private static long readDigits(String key, int from, int width) {
        long value = 0;
        for (int i = from; i < from + width; i++) {
            int digit = DIGITS.indexOf(key.charAt(i));
            if (digit < 0) {
                throw new IllegalArgumentException("not a sort key: " + key);
            }
            // why: 11 digits hold 66 bits; the top ones of a valid id are 0, else the shift overflows
            if (value >>> 58 != 0) {
                throw new IllegalArgumentException("not a sort key: " + key);
            }
            value = (value << 6) | digit;
        }
        return value;
    }
}
