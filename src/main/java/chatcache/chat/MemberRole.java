package chatcache.chat;

import java.util.Locale;
import java.util.Optional;

/** A member's place in a chat: its owner (one at most, the creator) or a member. */
public enum MemberRole {
    OWNER,
    MEMBER;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<MemberRole> fromWire(String text) {
        for (MemberRole r : values()) {
            if (r.wire().equals(text)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
