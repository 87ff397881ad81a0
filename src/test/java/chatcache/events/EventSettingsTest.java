package chatcache.events;

import chatcache.core.EventId;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The event streams' settings: each read, refused by name when bad, documented; and the ids clients send back. */
class EventSettingsTest {
    private static final String[][] SETTINGS = {
            {"CHATCACHE_EVENTS_HEARTBEAT_MS", "2000", "10"},
            {"CHATCACHE_EVENTS_MAX_CONNECTIONS", "50", "-1"},
            {"CHATCACHE_EVENTS_MAX_PER_CALLER", "2", "0"},
            {"CHATCACHE_EVENTS_MAX_REPLAY", "100", "-1"},
            {"CHATCACHE_EVENTS_MAX_QUEUED_FRAMES", "5000", "1"},
            {"CHATCACHE_EVENTS_MAX_QUEUED_BYTES", "100000", "10"},
    };

    @Test
    void everySettingIsReadValidatedAndDocumented() throws java.io.IOException {
        String readme = java.nio.file.Files.readString(java.nio.file.Path.of("README.md"));
        for (String[] t : SETTINGS) {
            assertTrue(!EventSettings.fromEnv(Map.of(t[0], t[1])).equals(EventSettings.DEFAULT), t[0] + " changes something");
            RuntimeException bad = assertThrows(RuntimeException.class, () -> EventSettings.fromEnv(Map.of(t[0], t[2])));
            assertTrue(bad.getMessage().startsWith(t[0] + " must be "), bad.getMessage());
            assertTrue(readme.contains("`" + t[0] + "`"), t[0] + " is documented in README.md");
        }
        RuntimeException tooFew = assertThrows(RuntimeException.class,
                () -> EventSettings.fromEnv(Map.of("CHATCACHE_EVENTS_MAX_QUEUED_FRAMES", "500")));
        assertTrue(tooFew.getMessage().contains("CHATCACHE_EVENTS_MAX_REPLAY"), tooFew.getMessage());
    }

    @Test
    void anIdIsReadBackAsWrittenAndAnythingElseIsRefused() {
        EventId id = EventId.of("mjc2b0v4", "1795693251583-7");
        assertEquals("mjc2b0v4.1795693251583-7", id.toString());
        assertEquals(Optional.of(id), EventId.parse(id.toString()));
        for (String bad : new String[] {"", "x", ".1-0", "a.1", "a.1-", "a.-1-0", "A.1-0", "a.1-0-0", "a.1 -0", "a.99999999999999999999-0",
                "a." + "1".repeat(70) + "-0"}) {
            assertEquals(Optional.empty(), EventId.parse(bad), bad);
        }
        assertTrue(EventId.of("e", "5-0").compareTo(EventId.of("e", "4-9")) > 0);
        assertTrue(EventId.of("e", "5-10").compareTo(EventId.of("e", "5-9")) > 0);
    }
}
