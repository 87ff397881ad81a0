package chatcache.events;

import chatcache.core.EventId;
import java.util.Map;

/** One entry of a chat's event stream: its id and its fields, as the writer appended them ({@link ChatEvents}). */
public record ChatEvent(long chatId, EventId id, Map<String, String> fields) {
    public String type() {
        return fields.getOrDefault(ChatEvents.TYPE, "");
    }
}
