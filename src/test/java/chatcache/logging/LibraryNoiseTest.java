package chatcache.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rate limit on library warnings: a flood becomes a few lines and a count; our own lines and errors all pass. */
class LibraryNoiseTest {
    @Test
    void aFloodOfLibraryWarningsIsCutToTheWindowsShareAndCounted() {
        LoggerContext context = new LoggerContext();
        context.addTurboFilter(new LibraryNoise());
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.setContext(context);
        lines.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(lines);
        long suppressedBefore = LibraryNoise.suppressed();

        Logger jetty = context.getLogger("org.eclipse.jetty.http.SomeParser");
        for (int i = 0; i < 1_000; i++) {
            jetty.warn("a client sent {}", "x".repeat(100));
        }
        Logger ours = context.getLogger("chatcache.web.WebApp");
        for (int i = 0; i < 100; i++) {
            ours.warn("ours {}", i);
            jetty.error("a library error {}", i);
        }
        long library = lines.list.stream().filter(e -> e.getLoggerName().startsWith("org.eclipse") && e.getLevel() == Level.WARN).count();
        assertEquals(LibraryNoise.PER_WINDOW, library, "library warnings in one window");
        assertEquals(100, lines.list.stream().filter(e -> e.getLoggerName().equals("chatcache.web.WebApp")).count());
        assertEquals(100, lines.list.stream().filter(e -> e.getLevel() == Level.ERROR).count());
        assertTrue(LibraryNoise.suppressed() - suppressedBefore >= 1_000 - LibraryNoise.PER_WINDOW);
    }

    @Test
    void aLongMessageIsCut() {
        ch.qos.logback.classic.spi.LoggingEvent event = new ch.qos.logback.classic.spi.LoggingEvent();
        event.setMessage("x".repeat(100_000));
        String cut = LogEncoder.message(event);
        assertTrue(cut.length() < LogEncoder.MAX_MESSAGE_CHARS + 50, "length " + cut.length());
        assertTrue(cut.endsWith("characters cut)"), cut.substring(cut.length() - 40));
    }
}
