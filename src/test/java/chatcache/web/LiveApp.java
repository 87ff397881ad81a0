package chatcache.web;

import chatcache.support.TestStores;
import io.javalin.Javalin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;

/**
 * The real web app over the test stores, started once per test class on a free port of 127.0.0.1
 * and spoken to with {@link #http} at {@link #base}: what every functional HTTP test extends. Every
 * answer must conform to the OpenAPI document ({@link OpenApiConformance}).
 */
@ExtendWith(OpenApiConformance.class)
abstract class LiveApp {
    static TestStores stores;
    static Javalin app;
    static HttpClient http;
    static URI base;

    @BeforeAll
    static void startApp() {
        stores = TestStores.get();
        app = ApiClient.startApp(stores, HttpLimits.DEFAULT);
        base = URI.create("http://127.0.0.1:" + app.port());
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stopApp() {
        if (app != null) {
            app.stop();
            app = null;
        }
    }
}
