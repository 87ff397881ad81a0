package chatcache.web;

import org.junit.jupiter.api.Test;

import static chatcache.web.ApiClient.Reply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo page's files as the server serves them (the page itself runs in BrowserDemoIT). */
class HttpDemoPageIT extends LiveApp {

    @Test
    void thePageAndItsFilesAreServedUnderDemoAndNothingElse() {
        Reply page = send("GET", "/demo/", (String) null, null);
        assertEquals(200, page.status(), page.body());
        assertTrue(page.contentType().startsWith("text/html"), page.contentType());
        assertTrue(page.body().contains("<script src=\"app.js\" defer></script>"), "the page names its files relatively");

        Reply script = send("GET", "/demo/app.js", (String) null, null);
        assertEquals(200, script.status());
        assertTrue(script.contentType().startsWith("text/javascript"), script.contentType());
        assertTrue(script.body().contains("new EventSource("), "the script follows the chat's events");

        Reply other = send("GET", "/demo/../openapi.json", (String) null, null);
        assertTrue(other.status() == 404 || other.status() == 400, other.status() + " " + other.body());
        Reply missing = send("GET", "/demo/secret.txt", (String) null, null);
        assertEquals(404, missing.status(), missing.body());
        assertEquals("no such file: the demo page is app.js, demo.css, index.html", missing.json().get("error").textValue());
    }

    @Test
    void withoutItsSlashThePageRedirectsSoItsRelativeLinksWork() {
        Reply redirect = send("GET", "/demo", (String) null, null);
        assertEquals(302, redirect.status(), redirect.body());
    }
}
