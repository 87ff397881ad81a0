package chatcache.web;

import io.javalin.http.Context;

import java.util.Map;
import java.util.TreeMap;

/**
 * {@code GET /demo/}: a page that reads, searches, follows and posts to a chat through this API
 * (README, "Demo page"); plain files from {@code src/main/resources/demo}, which work as well from
 * any other web server whose origin {@code CHATCACHE_CORS_ORIGINS} admits.
 */
final class DemoPage {
    private static final String FOLDER = "demo/";
    private static final String PAGE = "index.html";
    /** Every file of the page and its type; nothing else is served. */
    private static final Map<String, String> FILES = new TreeMap<>(Map.of(
            PAGE, "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "demo.css", "text/css; charset=utf-8"));
    /**
     * why: the page runs only its own script and style; it may call any API (connect-src), since
     * {@code ?api=} names the one it uses.
     */
    private static final String POLICY = "default-src 'self'; connect-src *; img-src 'self' data:; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private final Map<String, byte[]> contents = new TreeMap<>();

    DemoPage() {
        FILES.keySet().forEach(name -> contents.put(name, ApiDocs.resource(FOLDER + name)));
    }

    void page(Context ctx) {
        // why: the page names its files relatively (app.js), which from /demo would mean /app.js
        if (!ctx.path().endsWith("/")) {
            ctx.status(302).header("Location", "/demo/").result(new byte[0]);
            return;
        }
        send(ctx, PAGE);
    }

    void file(Context ctx) {
        String name = ctx.pathParam("file");
        if (!FILES.containsKey(name)) {
            throw new ApiException(404, "no such file: the demo page is " + String.join(", ", FILES.keySet()));
        }
        send(ctx, name);
    }

    private void send(Context ctx, String name) {
        ctx.header("Content-Security-Policy", POLICY);
        ctx.contentType(FILES.get(name)).result(contents.get(name));
    }
}
