package chatcache.web;

import chatcache.core.Message;
import chatcache.core.EventId;
import chatcache.message.Explain;
import chatcache.message.FetchResult;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.time.LocalDate;
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
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final long MILLIS_PER_DAY = 86_400_000L;

    private MessageJson() {
    }

    /** One message: {"id", "chatId", "userId", "message", "createdAt", "data", "read"}. */
    static byte[] message(JsonFactory json, Message m) {
        return write(json, g -> writeMessage(g, m, null));
    }

    /**
     * A page: {"messages": [...], "hasOlder", "hasNewer", "source"}; each message also carries
     * {@code readByMe} when {@code readByMe} answers for it (a signed-in member's page).
     */
    static byte[] page(JsonFactory json, FetchResult page, java.util.function.Function<Message, Boolean> readByMe) {
        return page(json, page, readByMe, java.util.Optional.empty());
    }

    /** The same, with where its reader joins the chat's events ({@code eventId}), when known. */
    static byte[] page(JsonFactory json, FetchResult page, java.util.function.Function<Message, Boolean> readByMe,
                       java.util.Optional<EventId> eventId) {
        return write(json, g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("messages");
            for (Message m : page.messages()) {
                writeMessage(g, m, readByMe.apply(m));
            }
            g.writeEndArray();
            g.writeBooleanField("hasOlder", page.hasOlder());
            g.writeBooleanField("hasNewer", page.hasNewer());
            g.writeStringField("source", page.source());
            if (eventId.isPresent()) {
                g.writeStringField("eventId", eventId.get().toString());
            }
            if (page.explain().isPresent()) {
                writeExplain(g, page.explain().get());
            }
            g.writeEndObject();
        });
    }

    /**
     * {"mysql": [{"sql", "parameters"}, ...], "redis": [[command, arg, ...], ...], "continuation":
     * [{"sql", "parameters"}, ...]} (the MySQL part of a page that reached below Redis's window).
     */
    private static void writeExplain(JsonGenerator g, Explain explain) throws IOException {
        g.writeObjectFieldStart("explain");
        writeStatements(g, "mysql", explain.mysql());
        g.writeArrayFieldStart("redis");
        for (List<String> command : explain.redis()) {
            g.writeStartArray();
            for (String arg : command) {
                g.writeString(arg);
            }
            g.writeEndArray();
        }
        g.writeEndArray();
        writeStatements(g, "continuation", explain.continuation());
        g.writeEndObject();
    }

    private static void writeStatements(JsonGenerator g, String name, List<Explain.Statement> statements) throws IOException {
        g.writeArrayFieldStart(name);
        for (Explain.Statement s : statements) {
            g.writeStartObject();
            g.writeStringField("sql", s.sql());
            g.writeArrayFieldStart("parameters");
            for (Object p : s.parameters()) {
                if (p instanceof Number n) {
                    g.writeNumber(n.longValue());
                } else {
                    g.writeString(String.valueOf(p));
                }
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void writeMessage(JsonGenerator g, Message m, Boolean readByMe) throws IOException {
        g.writeStartObject();
        g.writeNumberField("id", m.id());
        g.writeNumberField("chatId", m.chatId());
        g.writeNumberField("userId", m.userId());
        g.writeStringField("message", m.text());
        g.writeStringField("createdAt", utcTime(m.createdAt()));
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
        if (readByMe != null) {
            g.writeBooleanField("readByMe", readByMe);
        }
        g.writeEndObject();
    }

    /**
     * ISO-8601 in UTC with milliseconds, e.g. 2026-11-23T12:00:00.000Z, as {@link #TIME} writes it.
     * why by hand: DateTimeFormatter took a third of the CPU of a page request (JFR, BENCHMARKS.md
     * run F: its fraction printer goes through BigDecimal); years outside 0..9999 still go through it.
     */
    static String utcTime(long epochMilli) {
        LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(epochMilli, MILLIS_PER_DAY));
        int year = date.getYear();
        if (year < 0 || year > 9999) {
            return TIME.format(Instant.ofEpochMilli(epochMilli));
        }
        int millisOfDay = (int) Math.floorMod(epochMilli, MILLIS_PER_DAY);
        char[] c = "0000-00-00T00:00:00.000Z".toCharArray();
        digits(c, 0, 4, year);
        digits(c, 5, 2, date.getMonthValue());
        digits(c, 8, 2, date.getDayOfMonth());
        digits(c, 11, 2, millisOfDay / 3_600_000);
        digits(c, 14, 2, millisOfDay / 60_000 % 60);
        digits(c, 17, 2, millisOfDay / 1_000 % 60);
        digits(c, 20, 3, millisOfDay % 1_000);
        return new String(c);
    }

    /** Writes value as width decimal digits ending at c[at + width - 1], zero-padded. */
    private static void digits(char[] c, int at, int width, int value) {
        for (int i = at + width - 1; i >= at; i--) {
            c[i] = (char) ('0' + value % 10);
            value /= 10;
        }
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
