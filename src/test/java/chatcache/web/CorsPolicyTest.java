package chatcache.web;

import chatcache.InvalidConfigException;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CHATCACHE_CORS_ORIGINS as read at start: exact origins as a browser writes them, or *; anything else stops the program. */
class CorsPolicyTest {

    private static String failure(String value) {
        return assertThrows(InvalidConfigException.class,
                () -> CorsPolicy.fromEnv(Map.of(CorsPolicy.SETTING, value))).getMessage();
    }

    @Test
    void absentOrBlankMeansTheApisOwnOriginOnly() {
        assertEquals(CorsPolicy.SAME_ORIGIN, CorsPolicy.fromEnv(Map.of()));
        assertEquals(CorsPolicy.SAME_ORIGIN, CorsPolicy.fromEnv(Map.of(CorsPolicy.SETTING, "  ")));
    }

    @Test
    void originsAreReadAsABrowserWritesThem() {
        CorsPolicy p = CorsPolicy.parse(" https://Chat.Example , http://localhost:8080,*");
        assertEquals(Set.of("https://chat.example", "http://localhost:8080"), p.origins());
        assertTrue(p.anyOrigin());
        assertEquals(new CorsPolicy(Set.of(), true), CorsPolicy.parse("*"));
    }

    @Test
    void anythingButAnOriginOrStarIsRefusedNamingTheSetting() {
        for (String bad : new String[] {"chat.example", "https://chat.example/", "https://chat.example/app",
                "ftp://chat.example", "null", "https://user@chat.example", "https://chat.example?x=1",
                "https://a.example,,https://b.example", "https://*.example"}) {
            String message = failure(bad);
            assertTrue(message.startsWith("CHATCACHE_CORS_ORIGINS "), bad + ": " + message);
        }
        assertEquals("CHATCACHE_CORS_ORIGINS must leave out the scheme's default port (browsers do), got 'https://chat.example:443'",
                failure("https://chat.example:443"));
    }
}
