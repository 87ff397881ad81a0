package chatcache.chat;

import java.util.Locale;
import java.util.Optional;

/** Who may read a chat: anyone (public), or its members (private). API clients read every chat. */
public enum Visibility {
    PUBLIC,
    PRIVATE;

    /** As written in JSON, MySQL and Redis: "public" or "private". */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Visibility> fromWire(String text) {
        for (Visibility v : values()) {
            if (v.wire().equals(text)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }
}
