package chatcache.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The OpenAPI document the app serves ({@code src/main/resources/openapi.json}) as the tests read
 * it: the routes it describes, and what is wrong, by the document, with one HTTP exchange (an
 * undocumented status or content type, a body its schema refuses, or an accepted request
 * its schema refuses).
 */
final class ApiDocument {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LOCATION = "classpath:" + ApiDocs.DOCUMENT;
    private static final String ERROR_SCHEMA = "/components/schemas/Error";
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
    private static volatile ApiDocument shared;

    /** One request and its answer; {@code requestBody} is null when not known. */
    record Exchange(String method, String target, String requestBody, int status, String contentType, String body) {
        @Override
        public String toString() {
            return method + " " + target + " -> " + status;
        }
    }

    /** A documented operation: its route, the pattern its path template matches, and where it is in the document. */
    private record Operation(ApiRoutes.Route route, Pattern path, String pointer, JsonNode node) {
    }

    private final JsonNode root;
    private final List<Operation> operations = new ArrayList<>();
    private final SchemaRegistry schemas;
    private final Map<String, Schema> compiled = new ConcurrentHashMap<>();

    private ApiDocument(JsonNode root, SchemaRegistry schemas) {
        this.root = root;
        this.schemas = schemas;
        for (Iterator<Map.Entry<String, JsonNode>> paths = root.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
                Map.Entry<String, JsonNode> op = ops.next();
                if (METHODS.contains(op.getKey())) {
                    operations.add(new Operation(new ApiRoutes.Route(op.getKey().toUpperCase(Locale.ROOT), path.getKey()),
                            template(path.getKey()), "/paths/" + escape(path.getKey()) + "/" + op.getKey(), op.getValue()));
                }
            }
        }
    }

    /** The document on the classpath, read once. */
    static ApiDocument get() {
        if (shared == null) {
            synchronized (ApiDocument.class) {
                if (shared == null) {
                    shared = new ApiDocument(read(), SchemaRegistry.withDialect(Dialects.getOpenApi31()));
                }
            }
        }
        return shared;
    }

    JsonNode root() {
        return root;
    }

    /** Every (method, path) the document describes. */
    Set<ApiRoutes.Route> routes() {
        Set<ApiRoutes.Route> routes = new LinkedHashSet<>();
        operations.forEach(op -> routes.add(op.route()));
        return routes;
    }

    /** What is wrong with this exchange by the document; empty when it conforms. */
    List<String> problems(Exchange exchange) {
        List<String> problems = new ArrayList<>();
        String method = exchange.method().toUpperCase(Locale.ROOT);
        if (method.equals("HEAD") || exchange.status() < 100) {
            return problems; // no body to judge; or no answer at all (the test judges that)
        }
        String path = path(exchange.target());
        Operation op = operations.stream()
                .filter(o -> o.route().method().equals(method) && o.path().matcher(path).matches())
                .findFirst().orElse(null);
        if (op == null) {
            // why: a method or path the document does not list answers a JSON error, as its description says
            if (exchange.status() < 400 || exchange.status() >= 500) {
                problems.add(exchange + ": not a route of the document, yet not answered with a 4xx");
            }
            checkJson(exchange, "#" + ERROR_SCHEMA, problems);
            return problems;
        }
        String status = String.valueOf(exchange.status());
        JsonNode responses = op.node().path("responses");
        if (!responses.has(status)) {
            problems.add(exchange + ": the document lists only " + fieldNames(responses) + " for " + op.route());
            return problems;
        }
        String responsePointer = op.pointer() + "/responses/" + status;
        JsonNode response = responses.get(status);
        if (response.has("$ref")) {
            responsePointer = response.get("$ref").textValue().substring(1);
            response = root.at(responsePointer);
        }
        JsonNode content = response.path("content");
        if (content.isMissingNode()) {
            if (exchange.body() != null && !exchange.body().isEmpty()) {
                problems.add(exchange + ": the document says no body, the answer had " + exchange.body().length() + " characters");
            }
        } else {
            String type = mediaType(exchange.contentType());
            if (!content.has(type)) {
                problems.add(exchange + ": Content-Type '" + exchange.contentType() + "', the document lists " + fieldNames(content));
            } else if (type.equals("application/json")) {
                checkJson(exchange, "#" + responsePointer + "/content/application~1json/schema", problems);
            }
        }
        JsonNode requestSchema = op.node().path("requestBody").path("content").path("application/json").path("schema");
        if (exchange.status() < 300 && !requestSchema.isMissingNode()
                && exchange.requestBody() != null && !exchange.requestBody().isBlank()) {
            String pointer = "#" + op.pointer() + "/requestBody/content/application~1json/schema";
            for (Error e : schema(pointer).validate(exchange.requestBody(), InputFormat.JSON)) {
                problems.add(exchange + ": accepted a request body the document refuses: " + e + " in " + exchange.requestBody());
            }
        }
        return problems;
    }

    /** What the schema at this pointer of the document ({@code #/...}) finds wrong with this JSON text. */
    List<String> validate(String schemaPointer, String json) {
        return schema(schemaPointer).validate(json, InputFormat.JSON).stream().map(Error::toString).toList();
    }

    private void checkJson(Exchange exchange, String schemaPointer, List<String> problems) {
        String type = mediaType(exchange.contentType());
        if (!type.equals("application/json")) {
            problems.add(exchange + ": Content-Type '" + exchange.contentType() + "', not JSON");
            return;
        }
        try {
            JSON.readTree(exchange.body() == null ? "" : exchange.body());
        } catch (JsonProcessingException e) {
            problems.add(exchange + ": the body is not JSON: " + exchange.body());
            return;
        }
        for (String problem : validate(schemaPointer, exchange.body())) {
            problems.add(exchange + ": " + problem + " (schema " + schemaPointer + ") in " + shorten(exchange.body()));
        }
    }

    private Schema schema(String pointer) {
        return compiled.computeIfAbsent(pointer, p -> schemas.getSchema(SchemaLocation.of(LOCATION + p)));
    }

    /** The path of a request target, without query; Javalin ignores one trailing slash. */
    private static String path(String target) {
        String path = target;
        int scheme = path.indexOf("://");
        if (scheme >= 0 && scheme < path.indexOf('/')) {
            int slash = path.indexOf('/', scheme + 3);
            path = slash < 0 ? "/" : path.substring(slash);
        }
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    /** A path template ({@code /chat/{chatId}}) as a pattern: a parameter is one non-empty segment. */
    private static Pattern template(String template) {
        StringBuilder regex = new StringBuilder();
        for (String part : template.split("(?=\\{)|(?<=\\})")) {
            regex.append(part.startsWith("{") ? "[^/]+" : Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }

    /** A JSON pointer token (RFC 6901), made safe for the fragment of a schema location. */
    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    private static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String shorten(String body) {
        return body.length() > 300 ? body.substring(0, 300) + "..." : body;
    }

    private static JsonNode read() {
        try (InputStream in = ApiDocument.class.getClassLoader().getResourceAsStream(ApiDocs.DOCUMENT)) {
            if (in == null) {
                throw new IllegalStateException(ApiDocs.DOCUMENT + " is not on the classpath");
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
