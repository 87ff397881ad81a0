package chatcache.web;

import chatcache.message.FetchResult;
import chatcache.message.Message;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * How a message, and a page of them, look on the wire, written straight to UTF-8 bytes.
 * why not a tree and ctx.json: on the read path building an ObjectNode per message, parsing each
 * message's data back into a tree and having Javalin turn the tree into a String and then bytes
 * was a quarter of a request's CPU (JFR, bench run F in BENCHMARKS.md).
 */
final class MessageJson {
    /** ISO-8601 in UTC, always with milliseconds, e.g. 2026-11-23T12:00:00.000Z. */
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private MessageJson() {
    }

    /** One message: {"id", "chatId", "userId", "message", "createdAt", "data", "read"}. */
    static byte[] message(JsonFactory json, Message m) {
        return write(json, g -> writeMessage(g, m));
    }

    /** A page: {"messages": [...], "hasOlder", "hasNewer", "source"}. */
    static byte[] page(JsonFactory json, FetchResult page) {
        return write(json, g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("messages");
            for (Message m : page.messages()) {
                writeMessage(g, m);
            }
            g.writeEndArray();
            g.writeBooleanField("hasOlder", page.hasOlder());
            g.writeBooleanField("hasNewer", page.hasNewer());
            g.writeStringField("source", page.source());
            g.writeEndObject();
        });
    }

    private static void writeMessage(JsonGenerator g, Message m) throws IOException {
        g.writeStartObject();
        g.writeNumberField("id", m.id());
        g.writeNumberField("chatId", m.chatId());
        g.writeNumberField("userId", m.userId());
        g.writeStringField("message", m.text());
        g.writeStringField("createdAt", TIME.format(Instant.ofEpochMilli(m.createdAt())));
        g.writeFieldName("data");
        if (m.data() == null) {
            g.writeNull();
        } else {
            // why raw: both stores hold data only as the canonical text this server's mapper
            // wrote when the message was posted (MessageHandlers.canonicalData); parsing and
            // writing it again gives the same bytes at a cost per message
            g.writeRawValue(m.data());
        }
        g.writeBooleanField("read", m.read());
        g.writeEndObject();
    }

    private interface Body {
        void writeTo(JsonGenerator g) throws IOException;
    }

    private static byte[] write(JsonFactory json, Body body) {
        try (ByteArrayBuilder out = new ByteArrayBuilder(4096)) {
            try (JsonGenerator g = json.createGenerator(out, JsonEncoding.UTF8)) {
                body.writeTo(g);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write JSON", e);
        }
    }
}
