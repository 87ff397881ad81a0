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

    /** {@code -@field:{value}}: not this integer on a TAG field. */
    RediSearchQuery tagNot(MessageField field, long value) {
        terms.add("-@" + field.redisField() + ":{" + value + "}");
        return this;
    }

    /** {@code @field:{a | b | c}}: any of these integers on a TAG field. */
    RediSearchQuery tagIn(MessageField field, java.util.Collection<Long> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values");
        }
        terms.add("@" + field.redisField() + ":{" + values.stream().map(String::valueOf)
                .collect(java.util.stream.Collectors.joining(" | ")) + "}");
        return this;
    }

    /**
     * {@code @field:{w1} @field:{w2}}: every one of these words on a TAG field. Words hold only
     * letters, digits and marks ({@link chatcache.query.Words}); anything else is escaped all the
     * same, so a value can never end the braces or add a term.
     */
    RediSearchQuery tagAll(MessageField field, java.util.Collection<String> words) {
        for (String w : words) {
            terms.add("@" + field.redisField() + ":{" + escaped(w) + "}");
        }
        return this;
    }

    private static String escaped(String value) {
        StringBuilder out = new StringBuilder(value.length());
        value.codePoints().forEach(cp -> {
            if (!Character.isLetterOrDigit(cp) && Character.getType(cp) != Character.COMBINING_SPACING_MARK
                    && Character.getType(cp) != Character.NON_SPACING_MARK) {
                out.append('\\');
            }
            out.appendCodePoint(cp);
        });
        return out.toString();
    }

    /** {@code @field:[min max]}, inclusive; {@link Long#MIN_VALUE} and {@link Long#MAX_VALUE} as -inf and +inf. */
    RediSearchQuery numericBetween(MessageField field, long min, long max) {
        terms.add("@" + field.redisField() + ":[" + (min == Long.MIN_VALUE ? "-inf" : Long.toString(min)) + " "
                + (max == Long.MAX_VALUE ? "+inf" : Long.toString(max)) + "]");
        return this;
    }

    /**
     * All terms must hold (RediSearch intersects space-separated terms). why negated terms last:
     * in {@code @a:{1} -@b:{2} @c:[3 +inf]} RediSearch (1.2 and 2.10, dialect 1 and 2) negates
     * everything after the minus, {@code -(@b:{2} @c:[3 +inf])}, so a message before 3 by anyone
     * but 2 matched; at the end a negation takes its own term only.
     */
    String render() {
        List<String> positive = terms.stream().filter(t -> !t.startsWith("-")).toList();
        if (positive.isEmpty()) {
            throw new IllegalStateException("a query needs a term that is not negated");
        }
        List<String> ordered = new ArrayList<>(positive);
        terms.stream().filter(t -> t.startsWith("-")).forEach(ordered::add);
        return String.join(" ", ordered);
    }
}
