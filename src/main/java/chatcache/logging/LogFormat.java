package chatcache.logging;

import java.util.Locale;

/** How a log line is written: {@code CHATCACHE_LOG_FORMAT}. */
public enum LogFormat {
    /** A line a person reads: time, level, thread, logger, request id, message. */
    TEXT,
    /** One JSON object a line, for a log collector. */
    JSON;

    /** The setting's value ({@code text} or {@code json}, any case; unset or blank is text). */
    public static LogFormat of(String value) {
        if (value == null || value.isBlank()) {
            return TEXT;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "text" -> TEXT;
            case "json" -> JSON;
            default -> throw new IllegalArgumentException("must be text or json, got '" + value + "'");
        };
    }
}
