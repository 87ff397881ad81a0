package chatcache.redis;

import chatcache.query.MessageField;

import java.util.ArrayList;
import java.util.List;

/**
 * A RediSearch query built from typed parts. It only ever holds allow-listed field names and
 * numbers formatted here, so no input can change its meaning: there is no way to add free text.
 */
final class RediSearchQuery {
    private final List<String> terms = new ArrayList<>();

    /** {@code @field:{value}}: exact match on a TAG field holding an integer. */
    RediSearchQuery tagEquals(MessageField field, long value) {
        terms.add("@" + field.redisField() + ":{" + value + "}");
        return this;
    }

    /** {@code @field:[min max]}, inclusive, on a NUMERIC field. */
    RediSearchQuery numericRange(MessageField field, long min, long max) {
        terms.add("@" + field.redisField() + ":[" + min + " " + max + "]");
        return this;
    }

    /** All terms must hold (RediSearch intersects space-separated terms). */
    String render() {
        if (terms.isEmpty()) {
            throw new IllegalStateException("a query needs at least one term");
        }
        return String.join(" ", terms);
    }
}
