package chatcache.web;

import chatcache.support.TestStores;
import io.javalin.Javalin;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real app over the test stores, with limits of a test class's own, on a free port of
 * 127.0.0.1, spoken to byte by byte with {@link #raw()}: for what a client may send that
 * java.net.http will not. Registered as a static extension, it starts before the class's
 * {@code @BeforeAll} methods and stops after its tests.
 */
final class RawApp implements BeforeAllCallback, AfterAllCallback {
    private final HttpLimits limits;
    private Javalin app;
    private RawHttp raw;

    RawApp(HttpLimits limits) {
        this.limits = limits;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        app = ApiClient.startApp(TestStores.get(), limits);
        raw = new RawHttp(app.port());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (app != null) {
            app.stop();
            app = null;
        }
    }

    RawHttp raw() {
        return raw;
    }
}
