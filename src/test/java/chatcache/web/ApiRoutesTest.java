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
        Javalin app = assertDoesNotThrow(() -> WebApp.create(null, null, null, () -> null));
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> app.get("/secret", ctx -> ctx.result("x")));
        assertTrue(refused.getMessage().contains("GET /secret"), refused.getMessage());
        assertDoesNotThrow(() -> app.before("/chat/*", ctx -> { }), "before handlers are no routes");
    }
}
