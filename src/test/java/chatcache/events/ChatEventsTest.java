package chatcache.events;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ChatEventsTest {
    @Test
    void theEpochTokenIsTheCompleteInstantInBase36Millis() {
        assertEquals("10", ChatEvents.epochToken("1970-01-01T00:00:00.036Z"));
        // what CacheState.markAllComplete writes: Instant.toString()
        String complete = java.time.Instant.ofEpochMilli(1_795_693_251_583L).toString();
        assertEquals(Long.toString(1_795_693_251_583L, 36), ChatEvents.epochToken(complete));
    }
}
