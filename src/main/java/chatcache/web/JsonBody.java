package chatcache.web;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Strict reading of request bodies: a JSON object, only known fields, each of the right type.
 * Every problem becomes a 400 that names the field.
 */
final class JsonBody {
    private final ObjectNode node;

    private JsonBody(ObjectNode node) {
        this.node = node;
    }

    static JsonBody parse(ObjectMapper mapper, String body, boolean optional, Set<String> allowed) {
        if (body == null || body.isBlank()) {
            if (optional) {
                return new JsonBody(mapper.createObjectNode());
            }
            throw ApiException.badRequest("request body must be a JSON object");
        }
        JsonNode root;
        try {
            root = mapper.reader()
                    .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                    .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .readTree(body);
        } catch (StreamConstraintsException e) {
            throw ApiException.badRequest("malformed JSON: nested too deeply, or a number or string too long");
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest(malformed(e));
        } catch (NumberFormatException | ArithmeticException e) {
            // e.g. 1e-2147483649: an exponent beyond what a decimal number can hold
            throw ApiException.badRequest("malformed JSON: a number is out of range");
        }
        if (root == null || !root.isObject()) {
            throw ApiException.badRequest("request body must be a JSON object");
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw ApiException.badRequest("unknown field '" + name + "'; allowed: " + String.join(", ", allowed));
            }
        }
        return new JsonBody((ObjectNode) root);
    }

    /**
     * Our own words for what is wrong, and where. why not Jackson's message: it names Jackson's
     * classes and switches ("enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS`"), which are
     * neither the API's vocabulary nor anything a client can change.
     */
    static String malformed(JsonProcessingException e) {
        String what;
        if (e instanceof JsonEOFException) {
            what = "the body ends inside a value";
        } else if (e instanceof MismatchedInputException) {
            what = "more than one JSON value";
        } else if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field")) {
            what = "a field appears twice";
        } else {
            what = "not valid JSON";
        }
        JsonLocation at = e.getLocation();
        return at == null || at.getLineNr() < 1 ? "malformed JSON: " + what
                : "malformed JSON at line " + at.getLineNr() + ", column " + at.getColumnNr() + ": " + what;
    }

    private JsonNode value(String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v;
    }

    /** An integer in [min, max], or null when absent. */
    Long integer(String field, long min, long max) {
        JsonNode v = value(field);
        if (v == null) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
            throw ApiException.badRequest("'" + field + "' must be " + (max == Long.MAX_VALUE && min == 1
                    ? "a positive integer" : "an integer from " + min + " to " + max));
        }
        return v.longValue();
    }

    /** An array of integers each in [min, max], or null when absent. */
    List<Long> integers(String field, long min, long max) {
        JsonNode v = value(field);
        if (v == null) {
            return null;
        }
        if (!v.isArray()) {
            throw ApiException.badRequest("'" + field + "' must be an array of positive integers");
        }
        List<Long> values = new ArrayList<>();
        for (JsonNode item : v) {
            if (!item.isIntegralNumber() || !item.canConvertToLong() || item.longValue() < min || item.longValue() > max) {
                throw ApiException.badRequest("'" + field + "' must be an array of positive integers");
            }
            values.add(item.longValue());
        }
        return values;
    }

    /**
     * An instant as epoch milliseconds, or null when absent: an ISO-8601 date-time with an offset
     * ({@code 2026-11-20T10:00:00Z}, {@code 2026-11-20T12:00:00+02:00}) or an integer of epoch milliseconds.
     */
    Long instant(String field) {
        JsonNode v = value(field);
        if (v == null) {
            return null;
        }
        String problem = "'" + field + "' must be an ISO-8601 date-time with an offset (2026-11-20T10:00:00Z)"
                + " or epoch milliseconds";
        if (v.isIntegralNumber()) {
            if (!v.canConvertToLong()) {
                throw ApiException.badRequest(problem);
            }
            return v.longValue();
        }
        if (!v.isTextual()) {
            throw ApiException.badRequest(problem);
        }
        try {
            java.time.Instant instant = java.time.OffsetDateTime.parse(v.textValue()).toInstant();
            // why up: createdAt is whole milliseconds, so ">= 10:00:00.0005" and "< 10:00:00.0005"
            // mean ">= .001" and "< .001"
            long millis = instant.toEpochMilli();
            return instant.getNano() % 1_000_000 == 0 ? millis : Math.addExact(millis, 1);
        } catch (java.time.format.DateTimeParseException | ArithmeticException e) {
            throw ApiException.badRequest(problem);
        }
    }

    Boolean bool(String field) {
        JsonNode v = value(field);
        if (v == null) {
            return null;
        }
        if (!v.isBoolean()) {
            throw ApiException.badRequest("'" + field + "' must be true or false");
        }
        return v.booleanValue();
    }

    String text(String field) {
        JsonNode v = value(field);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw ApiException.badRequest("'" + field + "' must be a string");
        }
        return v.textValue();
    }

    /** A JSON object, or null when absent. */
    ObjectNode object(String field) {
        JsonNode v = value(field);
        if (v == null) {
            return null;
        }
        if (!v.isObject()) {
            throw ApiException.badRequest("'" + field + "' must be a JSON object");
        }
        return (ObjectNode) v;
    }
}
