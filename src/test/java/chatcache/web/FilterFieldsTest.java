package chatcache.web;

import chatcache.query.Filter;
import chatcache.query.OrderKey;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every filter record is something a client can ask for: each has its request fields in the API
 * document's {@code PageRequest} schema. A filter added to {@link Filter} without a case in
 * {@link #fields} does not compile; one without a sample here fails the first test.
 */
class FilterFieldsTest {
    /** One of each filter. */
    private static final List<Filter> SAMPLES = List.of(Filter.Authors.of(7), new Filter.TimeRange(1, 2),
            new Filter.Read(false), Filter.Text.of("coffee"), new Filter.UnreadBy(7, new OrderKey(1, 1)));

    /** The fields of POST /chat/{chatId}/messages that make this filter (MessageHandlers reads them). */
    private static List<String> fields(Filter filter) {
        return switch (filter) {
            case Filter.Authors authors -> List.of("userId", "userIds", "onlyOwn");
            case Filter.TimeRange range -> List.of("since", "until");
            case Filter.Read read -> List.of("read");
            case Filter.Text text -> List.of("text");
            case Filter.UnreadBy unread -> List.of("unreadByMe");
        };
    }

    @Test
    void thereIsASampleOfEveryFilter() {
        Set<Class<?>> sampled = new HashSet<>();
        SAMPLES.forEach(f -> sampled.add(f.getClass()));
        assertEquals(new HashSet<>(Arrays.asList(Filter.class.getPermittedSubclasses())), sampled);
    }

    @Test
    void everyFiltersFieldsAreInTheApiDocument() throws IOException {
        JsonNode properties;
        try (InputStream in = WebApp.class.getResourceAsStream("/openapi.json")) {
            properties = new ObjectMapper().readTree(in).at("/components/schemas/PageRequest/properties");
        }
        assertTrue(properties.isObject(), "PageRequest has properties");
        for (Filter filter : SAMPLES) {
            for (String field : fields(filter)) {
                assertTrue(properties.has(field), filter.getClass().getSimpleName() + ": '" + field + "' is not in PageRequest");
            }
        }
    }
}
