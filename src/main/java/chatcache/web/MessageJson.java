package chatcache.web;

import chatcache.message.Message;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** How a message looks on the wire. */
final class MessageJson {
    /** ISO-8601 in UTC, always with milliseconds, e.g. 2026-11-23T12:00:00.000Z. */
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private MessageJson() {
    }

    static ObjectNode render(ObjectMapper mapper, Message m) {
        ObjectNode n = mapper.createObjectNode();
        n.put("id", m.id());
        n.put("chatId", m.chatId());
        n.put("userId", m.userId());
        n.put("message", m.text());
        n.put("createdAt", TIME.format(Instant.ofEpochMilli(m.createdAt())));
        n.set("data", parseData(mapper, m.data()));
        n.put("read", m.read());
        return n;
    }

    private static JsonNode parseData(ObjectMapper mapper, String data) {
        if (data == null) {
            return mapper.nullNode();
        }
        try {
            return mapper.readTree(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored data is not JSON", e);
        }
    }
}
