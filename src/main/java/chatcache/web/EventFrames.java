package chatcache.web;

import chatcache.core.Message;
import chatcache.events.ChatEvent;
import chatcache.events.ChatEvents;
import chatcache.core.EventId;
import chatcache.events.Frames;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The events as Server-Sent Events frames: {@code id:}, {@code event:}, one {@code data:} line of
 * JSON (JSON escapes line breaks, so one line always holds it), a blank line. A message event's
 * data is the message exactly as the read API renders it ({@link MessageJson#message}).
 */
final class EventFrames implements Frames {
    private static final byte[] PING = ": ping\n\n".getBytes(StandardCharsets.UTF_8);

    private final JsonFactory json;

    EventFrames(JsonFactory json) {
        this.json = json;
    }

    @Override
    public byte[] event(ChatEvent e) {
        Map<String, String> f = e.fields();
        byte[] data = switch (e.type()) {
            case ChatEvents.CREATED, ChatEvents.EDITED -> MessageJson.message(json, new Message(
                    Long.parseLong(f.get("id")), e.chatId(), Long.parseLong(f.get("userId")), f.get("message"),
                    Long.parseLong(f.get("createdAt")), f.get("data"), "1".equals(f.get("read"))));
            case ChatEvents.DELETED -> object(g -> {
                g.writeNumberField("chatId", e.chatId());
                g.writeNumberField("id", Long.parseLong(f.get("id")));
            });
            case ChatEvents.READ -> object(g -> {
                g.writeNumberField("chatId", e.chatId());
                g.writeArrayFieldStart("ids");
                for (String id : f.getOrDefault("ids", "").split(",")) {
                    if (!id.isEmpty()) {
                        g.writeNumber(Long.parseLong(id));
                    }
                }
                g.writeEndArray();
            });
            case ChatEvents.RESET -> reason(f.getOrDefault("reason", "the chat was rebuilt: fetch the page again"));
            default -> null;
        };
        if (data == null) {
            return PING; // an entry of a kind this version does not know: nothing to tell the client
        }
        return frame(e.id(), e.type(), data);
    }

    @Override
    public byte[] reset(EventId id, String reason) {
        return frame(id, ChatEvents.RESET, reason(reason));
    }

    @Override
    public byte[] paused(String reason) {
        return frame(null, "paused", reason(reason));
    }

    @Override
    public byte[] resumed() {
        return frame(null, "resumed", object(g -> { }));
    }

    @Override
    public byte[] ping() {
        return PING;
    }

    /** The last frame of a stream the server ends: why, as {@code event: closed}. */
    byte[] closed(String reason) {
        return frame(null, "closed", reason(reason));
    }

    private byte[] reason(String reason) {
        return object(g -> g.writeStringField("reason", reason));
    }

    private static byte[] frame(EventId id, String event, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + 64);
        if (id != null) {
            out.writeBytes(("id: " + id + "\n").getBytes(StandardCharsets.UTF_8));
        }
        out.writeBytes(("event: " + event + "\ndata: ").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(data);
        out.writeBytes("\n\n".getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    private byte[] object(Fields fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            fields.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
