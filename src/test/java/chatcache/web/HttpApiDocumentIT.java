package chatcache.web;

import chatcache.web.ApiClient.Reply;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GET /openapi.json, the page at GET /docs, and that the app serves every route of its table. */
class HttpApiDocumentIT extends LiveApp {

    @Test
    void theDocumentIsServedAsJsonToAnyone() throws IOException {
        HttpResponse<byte[]> answer = get("/openapi.json");
        assertEquals(200, answer.statusCode());
        assertTrue(answer.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertArrayEquals(resource(ApiDocs.DOCUMENT), answer.body());
    }

    @Test
    void theDocsPageLoadsOnlyFilesThisServerServes() throws IOException {
        Reply page = ApiClient.send(http, base, "GET", "/docs", null, null);
        assertEquals(200, page.status());
        assertTrue(page.contentType().startsWith("text/html"), page.contentType());
        assertTrue(page.body().contains("url: \"openapi.json\""), "the page shows this server's document");

        Matcher references = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(page.body());
        List<String> files = new ArrayList<>();
        while (references.find()) {
            files.add(references.group(1));
        }
        assertEquals(List.of("docs/swagger-ui.css", "docs/favicon-32x32.png", "docs/favicon-16x16.png", "docs/swagger-ui-bundle.js"), files);
        for (String file : files) {
            HttpResponse<byte[]> answer = get("/" + file);
            assertEquals(200, answer.statusCode(), file);
            String webjar = "META-INF/resources/webjars/swagger-ui/" + swaggerUiVersion() + "/" + file.substring("docs/".length());
            assertArrayEquals(resource(webjar), answer.body(), file);
        }
        assertTrue(get("/docs/swagger-ui-bundle.js").headers().firstValue("Content-Type").orElse("").startsWith("text/javascript"));
        assertTrue(get("/docs/swagger-ui.css").headers().firstValue("Content-Type").orElse("").startsWith("text/css"));
    }

    @Test
    void noOtherFileOfTheJarIsServed() {
        for (String file : List.of("index.html", "swagger-initializer.js", "swagger-ui.js", "..%2Fopenapi.json", "x")) {
            ApiClient.assertError(ApiClient.send(http, base, "GET", "/docs/" + file, null, null), 404, file);
        }
    }

    /** why: WebApp registers the table; a route it forgot would answer "no such route" here. */
    @Test
    void everyRouteOfTheTableIsServed() {
        for (ApiRoutes.Route route : ApiRoutes.all()) {
            String path = route.path().replace("{file}", "swagger-ui.css").replaceAll("\\{[^}]+}", "1");
            if (route.path().endsWith("/events")) {
                // a stream does not end by itself: opened, answered, closed
                try (EventStreamClient stream = EventStreamClient.open(http, base, path, null, null)) {
                    assertTrue(stream.status == 200, route + ": " + stream.status + " " + stream.errorBody);
                }
                continue;
            }
            Reply reply = ApiClient.send(http, base, route.method(), path, null, null);
            assertFalse(reply.body().contains("no such route"), route + ": " + reply.body());
            assertTrue(reply.status() != 404 || reply.json().path("error").asText().startsWith("no "), route + ": " + reply.body());
        }
    }

    private static HttpResponse<byte[]> get(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String swaggerUiVersion() throws IOException {
        java.util.Properties pom = new java.util.Properties();
        try (InputStream in = HttpApiDocumentIT.class.getClassLoader().getResourceAsStream("META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
            pom.load(in);
        }
        return pom.getProperty("version");
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = HttpApiDocumentIT.class.getClassLoader().getResourceAsStream(name)) {
            assertTrue(in != null, name);
            return in.readAllBytes();
        }
    }
}
