package chatcache.web;

import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The API's own description: {@code GET /openapi.json} (the OpenAPI 3.1 document, written by hand
 * in {@code src/main/resources/openapi.json}) and {@code GET /docs}, a page that shows it with
 * Swagger UI, whose files come from the org.webjars:swagger-ui jar: it works offline, nothing is
 * fetched from elsewhere.
 */
final class ApiDocs {
    static final String DOCUMENT = "openapi.json";
    private static final String PAGE = "docs.html";
    private static final String SWAGGER_UI_POM = "META-INF/maven/org.webjars/swagger-ui/pom.properties";

    /** The Swagger UI files the page loads, and their types; nothing else of the jar is served. */
    private static final Map<String, String> FILES = new TreeMap<>(Map.of(
            "swagger-ui.css", "text/css; charset=utf-8",
            "swagger-ui-bundle.js", "text/javascript; charset=utf-8",
            "favicon-32x32.png", "image/png",
            "favicon-16x16.png", "image/png"));

    private final byte[] document;
    private final byte[] page;
    private final String swaggerUi;

    ApiDocs() {
        document = resource(DOCUMENT);
        page = resource(PAGE);
        swaggerUi = "META-INF/resources/webjars/swagger-ui/" + swaggerUiVersion() + "/";
    }

    void document(Context ctx) {
        MessageHandlers.send(ctx, 200, document);
    }

    void page(Context ctx) {
        ctx.contentType("text/html; charset=utf-8").result(page);
    }

    void file(Context ctx) {
        String name = ctx.pathParam("file");
        String type = FILES.get(name);
        if (type == null) {
            throw new ApiException(404, "no such file: the page uses " + String.join(", ", FILES.keySet()));
        }
        ctx.contentType(type).result(resource(swaggerUi + name));
    }

    private static String swaggerUiVersion() {
        Properties pom = new Properties();
        try (InputStream in = open(SWAGGER_UI_POM)) {
            pom.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + SWAGGER_UI_POM, e);
        }
        return pom.getProperty("version");
    }

    /** A file of the class path, read whole (the demo page's files too). */
    static byte[] resource(String name) {
        try (InputStream in = open(name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }

    private static InputStream open(String name) {
        InputStream in = ApiDocs.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException(name + " is missing from the classpath");
        }
        return in;
    }
}
