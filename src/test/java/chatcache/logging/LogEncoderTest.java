package chatcache.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.Status;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogEncoderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final LoggerContext context = new LoggerContext();

    private LoggingEvent event(String message, Throwable thrown, String requestId) {
        LoggingEvent event = new LoggingEvent(LogEncoderTest.class.getName(), context.getLogger("chatcache.web.WebApp"),
                Level.WARN, message, thrown, new Object[0]);
        event.setThreadName("worker-1");
        event.setTimeStamp(1_795_168_800_123L); // 2026-11-20T10:00:00.123Z
        event.setMDCPropertyMap(requestId == null ? Map.of() : Map.of(RequestId.MDC_KEY, requestId));
        return event;
    }

    private static String encode(String format, LoggingEvent event) {
        LogEncoder encoder = new LogEncoder();
        encoder.setFormat(format);
        return new String(encoder.encode(event), StandardCharsets.UTF_8);
    }

    @Test
    void textIsOneReadableLineWithTheRequestId() {
        assertEquals("2026-11-20T10:00:00.123Z WARN  [worker-1] chatcache.web.WebApp requestId=abc-1 - POST /chat/{chatId}/message failed\n",
                encode("text", event("POST /chat/{chatId}/message failed", null, "abc-1")));
        assertEquals("2026-11-20T10:00:00.123Z WARN  [worker-1] chatcache.web.WebApp - relay stopped\n",
                encode("text", event("relay stopped", null, null)));
    }

    @Test
    void jsonIsOneObjectALineWithTheDocumentedFields() throws IOException {
        String line = encode("json", event("a \"quoted\"\nsecond line", null, "abc-1"));
        assertTrue(line.endsWith("}\n") && line.indexOf('\n') == line.length() - 1, line);
        JsonNode json = JSON.readTree(line);
        assertEquals(Set.of("timestamp", "level", "logger", "thread", "requestId", "message"), names(json));
        assertEquals("2026-11-20T10:00:00.123Z", json.get("timestamp").textValue());
        assertEquals("WARN", json.get("level").textValue());
        assertEquals("chatcache.web.WebApp", json.get("logger").textValue());
        assertEquals("worker-1", json.get("thread").textValue());
        assertEquals("abc-1", json.get("requestId").textValue());
        assertEquals("a \"quoted\"\nsecond line", json.get("message").textValue());

        assertEquals(Set.of("timestamp", "level", "logger", "thread", "message"), names(JSON.readTree(encode("json", event("x", null, null)))));
    }

    @Test
    void exceptionsAreWrittenWithoutTheValuesTheirMessagesRepeat() throws IOException {
        SQLException thrown = new SQLException("Incorrect string value: 'secret-text-4711' for column 'message'", "HY000", 1366);
        JsonNode json = JSON.readTree(encode("json", event("POST failed", thrown, "abc-1")));
        String exception = json.get("exception").textValue();
        assertTrue(exception.startsWith("java.sql.SQLException: SQLState HY000, error 1366\n\tat chatcache.logging.LogEncoderTest."), exception);
        assertFalse(json.toString().contains("secret-text"), json.toString());

        String text = encode("text", event("POST failed", thrown, "abc-1"));
        assertTrue(text.contains(" - POST failed\njava.sql.SQLException: SQLState HY000, error 1366\n\tat "), text);
        assertFalse(text.contains("secret-text"), text);
    }

    @Test
    void theFormatSettingIsReadInAnyCaseAndAWrongOneIsReportedAndWritesText() {
        LogEncoder encoder = new LogEncoder();
        encoder.setContext(context);
        encoder.setFormat(" JSON ");
        assertEquals(LogFormat.JSON, encoder.format());
        encoder.setFormat("");
        assertEquals(LogFormat.TEXT, encoder.format());
        encoder.setFormat("xml");
        assertEquals(LogFormat.TEXT, encoder.format());
        assertTrue(context.getStatusManager().getCopyOfStatusList().stream()
                .anyMatch(s -> s.getLevel() == Status.ERROR && s.getMessage().contains("CHATCACHE_LOG_FORMAT")));
    }

    /** The shipped logback.xml, read as Logback reads it at start, with the variable set as the environment would. */
    private LogEncoder shippedEncoder(String format) throws JoranException {
        if (format != null) {
            context.putProperty("CHATCACHE_LOG_FORMAT", format);
        }
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(LogEncoderTest.class.getResource("/logback.xml"));
        ConsoleAppender<?> appender = (ConsoleAppender<?>) context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("stderr");
        return (LogEncoder) appender.getEncoder();
    }

    @Test
    void theShippedConfigurationWritesTheSetFormat() throws JoranException {
        assertEquals(LogFormat.JSON, shippedEncoder("json").format());
    }

    @Test
    void theShippedConfigurationWritesTextByDefaultAndSilencesWhatEchoesValues() throws JoranException {
        assertEquals(LogFormat.TEXT, shippedEncoder(null).format());
        assertEquals(Level.INFO, context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getLevel());
        assertEquals(Level.OFF, context.getLogger("org.hibernate.engine.jdbc.spi.SqlExceptionHelper").getEffectiveLevel());
        for (String library : new String[] {"org.hibernate", "com.zaxxer.hikari", "org.eclipse.jetty", "io.javalin", "redis.clients.jedis"}) {
            assertTrue(context.getLogger(library).getEffectiveLevel().isGreaterOrEqual(Level.WARN), library);
        }
        assertNull(context.getStatusManager().getCopyOfStatusList().stream()
                .filter(s -> s.getLevel() >= Status.WARN).findFirst().orElse(null));
    }

    private static Set<String> names(JsonNode json) {
        Set<String> names = new TreeSet<>();
        json.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
