package chatcache.web;

import io.javalin.Javalin;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The app's routes are its table's: one added another way is refused when it is added. */
class ApiRoutesTest {

    @Test
    void aRouteAddedOutsideTheTableIsRefused() {
        // the services are not called while routes are registered
        assertDoesNotThrow(() -> WebApp.create(null, null, null, () -> null), "the app's own routes are all in the table");
        RuntimeException refused = assertThrows(RuntimeException.class, () -> Javalin.create(config -> {
            config.events.handlerAdded(ApiRoutes::requireListed);
            config.routes.get("/secret", ctx -> ctx.result("x"));
        }));
        String messages = refused + " " + refused.getCause();
        assertTrue(messages.contains("GET /secret"), messages);
        assertDoesNotThrow(() -> Javalin.create(config -> {
            config.events.handlerAdded(ApiRoutes::requireListed);
            config.routes.before("/chat/*", ctx -> { });
        }), "before handlers are no routes");
    }
}
