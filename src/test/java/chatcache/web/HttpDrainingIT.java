package chatcache.web;

import chatcache.ChatCache;
import chatcache.Config;
import chatcache.Version;
import io.javalin.Javalin;
import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A stopping server fails its readiness first (SIGTERM; GracefulShutdownIT stops a real process),
 * and /health names the version. On an instance of its own, so the shared one stays ready.
 */
class HttpDrainingIT extends LiveApp {

    @Test
    void aDrainingServerIsNotReadyAndHealthNamesTheVersion() {
        try (ChatCache own = ChatCache.open(Config.fromEnv(System.getenv()), stores.clock)) {
            Javalin ownApp = WebApp.create(own.messages(), own.chats(), own.authenticator(), own::health).start("127.0.0.1", 0);
            try {
                URI at = URI.create("http://127.0.0.1:" + ownApp.port());
                ApiClient.Reply health = ApiClient.send(http, at, "GET", "/health", null, null);
                assertEquals(Version.current(), health.json().get("version").asText());
                assertEquals(200, ApiClient.send(http, at, "GET", "/health/ready", null, null).status());

                own.beginDraining();
                ApiClient.Reply ready = ApiClient.send(http, at, "GET", "/health/ready", null, null);
                assertEquals(503, ready.status(), ready.body());
                assertEquals("draining", ready.json().get("status").asText());
                assertEquals(200, ApiClient.send(http, at, "GET", "/health/live", null, null).status(), "still live");
            } finally {
                ownApp.stop();
            }
        }
    }
}
