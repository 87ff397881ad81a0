package chatcache.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxy;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Writes each log event as one line of text or one JSON object a line ({@link LogFormat}, set in
 * logback.xml from {@code CHATCACHE_LOG_FORMAT}), with the request id of the thread that logged
 * it, and exceptions through {@link ExceptionText}: never a message that may echo data.
 * why our own and not Logback's JsonEncoder: that one nests the fields ({@code mdc}, a
 * {@code context} object), writes the raw arguments beside the message, and the exceptions'
 * messages as they are.
 */
public final class LogEncoder extends EncoderBase<ILoggingEvent> {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);
    private static final JsonFactory JSON = new JsonFactory();

    private LogFormat format = LogFormat.TEXT;

    /** {@code text} or {@code json}, as the setting {@code CHATCACHE_LOG_FORMAT}. */
    public void setFormat(String value) {
        try {
            format = LogFormat.of(value);
        } catch (IllegalArgumentException e) {
            // why not fail here: Logback only reports it; Config stops the program with this message
            addError("CHATCACHE_LOG_FORMAT " + e.getMessage() + "; writing text");
            format = LogFormat.TEXT;
        }
    }

    public LogFormat format() {
        return format;
    }

    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        return format == LogFormat.JSON ? json(event) : text(event);
    }

    private static byte[] text(ILoggingEvent event) {
        StringBuilder line = new StringBuilder(160)
                .append(TIME.format(event.getInstant())).append(' ')
                .append(String.format("%-5s", event.getLevel())).append(" [")
                .append(event.getThreadName()).append("] ")
                .append(event.getLoggerName());
        String requestId = event.getMDCPropertyMap().get(RequestId.MDC_KEY);
        if (requestId != null) {
            line.append(" requestId=").append(requestId);
        }
        line.append(" - ").append(message(event)).append('\n');
        String exception = exception(event);
        if (exception != null) {
            line.append(exception);
        }
        return line.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] json(ILoggingEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("timestamp", TIME.format(event.getInstant()));
            json.writeStringField("level", event.getLevel().toString());
            json.writeStringField("logger", event.getLoggerName());
            json.writeStringField("thread", event.getThreadName());
            String requestId = event.getMDCPropertyMap().get(RequestId.MDC_KEY);
            if (requestId != null) {
                json.writeStringField("requestId", requestId);
            }
            json.writeStringField("message", message(event));
            String exception = exception(event);
            if (exception != null) {
                json.writeStringField("exception", exception.stripTrailing());
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    /** Characters of a message at most; the rest is cut. */
    static final int MAX_MESSAGE_CHARS = 2_000;

    /**
     * why cut: a library's message may quote what a client sent (a header, a URI), and one line
     * must not cost the log more than a bounded amount, whatever the client sent.
     */
    static String message(ILoggingEvent event) {
        String message = event.getFormattedMessage();
        if (message == null || message.length() <= MAX_MESSAGE_CHARS) {
            return message;
        }
        int end = Character.isHighSurrogate(message.charAt(MAX_MESSAGE_CHARS - 1)) ? MAX_MESSAGE_CHARS - 1 : MAX_MESSAGE_CHARS;
        return message.substring(0, end) + "... (" + (message.length() - end) + " characters cut)";
    }

    /**
     * The exception logged with the event, as {@link ExceptionText} shows it. why only a
     * {@link ThrowableProxy}'s: an event that crossed a process (the only other kind) has lost its
     * exception object, and its proxy holds the raw message; it is shown by class alone.
     */
    private static String exception(ILoggingEvent event) {
        IThrowableProxy proxy = event.getThrowableProxy();
        if (proxy == null) {
            return null;
        }
        return proxy instanceof ThrowableProxy local
                ? ExceptionText.stackTrace(local.getThrowable())
                : proxy.getClassName() + ": " + ExceptionText.WITHHELD + "\n";
    }
}
