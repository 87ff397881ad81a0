package chatcache.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OpenAPI document against the app's route table and against itself; and the checks that
 * hold the HTTP tests' answers to it ({@link ApiDocument#problems}), shown able to fail.
 */
class ApiDocumentTest {
    private static final ApiDocument DOCUMENT = ApiDocument.get();
    private static final String MESSAGE = "{\"id\":3,\"chatId\":1,\"userId\":1,\"message\":\"hi\","
            + "\"createdAt\":\"2026-11-26T08:52:07.679Z\",\"data\":null,\"read\":false}";
    /** Answered by every route: the rules every request passes before its route (RequestChecks, RequestBody, Jetty). */
    private static final List<String> EVERY_ROUTE = List.of("400", "408", "413", "414", "415", "431");

    @Test
    void theDocumentDescribesEveryRouteOfTheAppAndNoOther() {
        Set<ApiRoutes.Route> app = new LinkedHashSet<>(ApiRoutes.all());
        Set<ApiRoutes.Route> documented = DOCUMENT.routes();
        Set<ApiRoutes.Route> missing = new LinkedHashSet<>(app);
        missing.removeAll(documented);
        Set<ApiRoutes.Route> extra = new LinkedHashSet<>(documented);
        extra.removeAll(app);
        assertTrue(missing.isEmpty(), "routes of the app missing from openapi.json: " + missing);
        assertTrue(extra.isEmpty(), "routes in openapi.json that the app does not have: " + extra);
    }

    @Test
    void theDocumentIsValidOpenApi31() {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(DOCUMENT.root().toString(), null, options);
        assertEquals(List.of(), result.getMessages());
        assertTrue(result.getOpenAPI().getOpenapi().startsWith("3.1."), result.getOpenAPI().getOpenapi());
    }

    @Test
    void everyExampleConformsToItsSchema() {
        List<String> problems = new ArrayList<>();
        int[] checked = {0};
        examples(DOCUMENT.root(), "", (pointer, example) -> {
            checked[0]++;
            DOCUMENT.validate("#" + pointer + "/schema", example.toString())
                    .forEach(p -> problems.add(pointer + ": " + p + " in " + example));
        });
        assertEquals(List.of(), problems);
        assertTrue(checked[0] >= 40, "only " + checked[0] + " examples found");
    }

    @Test
    void everyOperationListsTheAnswersEveryRouteMayGiveAndItsClientErrorsAreJsonErrors() {
        Set<String> operationIds = new HashSet<>();
        DOCUMENT.root().path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
            String where = op.getKey() + " " + path.getKey();
            assertTrue(operationIds.add(op.getValue().path("operationId").asText()), "operationId of " + where);
            JsonNode responses = op.getValue().path("responses");
            for (String status : EVERY_ROUTE) {
                assertTrue(responses.has(status), where + " does not list " + status);
            }
            responses.fields().forEachRemaining(r -> {
                JsonNode response = r.getValue().has("$ref") ? DOCUMENT.root().at(r.getValue().get("$ref").textValue().substring(1)) : r.getValue();
                assertFalse(response.isMissingNode(), where + " " + r.getKey() + ": " + r.getValue());
                assertFalse(response.path("description").asText().isBlank(), where + " " + r.getKey() + " has no description");
                int status = Integer.parseInt(r.getKey());
                if (status >= 400) {
                    assertEquals(List.of("application/json"), names(response.path("content")), where + " " + r.getKey());
                }
                if (status >= 400 && status < 500) {
                    JsonNode schema = response.path("content").path("application/json").path("schema");
                    assertEquals("#/components/schemas/Error", schema.path("$ref").asText(), where + " " + r.getKey());
                }
            });
        }));
    }

    // ------------------------------------------------------------------ the checks of answers can fail

    @Test
    void aDocumentedAnswerConforms() {
        assertEquals(List.of(), problems("POST", "/chat/1/message", "{\"message\":\"hi\"}", 201, "application/json", MESSAGE));
        assertEquals(List.of(), problems("DELETE", "/chat/1/message/3", null, 204, "", ""));
        assertEquals(List.of(), problems("GET", "/chat/1/", null, 404, "application/json", "{\"error\":\"no chat 1\"}"));
        assertEquals(List.of(), problems("GET", "/me/unread?chatIds=1,2", null, 200, "application/json;charset=utf-8",
                "{\"chats\":[{\"chatId\":1,\"unread\":0,\"lastRead\":null}]}"));
        assertEquals(List.of(), problems("POST", "/chat/1/nothing", null, 404, "application/json", "{\"error\":\"no such route\"}"));
    }

    @Test
    void aMissingOrRenamedFieldIsReported() {
        String renamed = MESSAGE.replace("\"chatId\"", "\"chat\"");
        List<String> found = problems("POST", "/chat/1/message", "{\"message\":\"hi\"}", 201, "application/json", renamed);
        assertTrue(found.stream().anyMatch(p -> p.contains("chatId")), found.toString());
        assertTrue(found.stream().anyMatch(p -> p.contains("chat'") || p.contains("chat ")), found.toString());
        String page = "{\"messages\":[" + MESSAGE + "],\"hasOlder\":false,\"source\":\"redis\"}";
        assertFalse(problems("POST", "/chat/1/messages", null, 200, "application/json", page).isEmpty());
    }

    @Test
    void anUndocumentedStatusOrContentTypeIsReported() {
        assertFalse(problems("POST", "/chat/1/messages", null, 500, "application/json", "{\"error\":\"internal error\"}").isEmpty());
        assertFalse(problems("POST", "/chats", "{}", 409, "application/json", "{\"error\":\"x\"}").isEmpty());
        assertFalse(problems("GET", "/health/live", null, 200, "text/plain", "live").isEmpty());
        assertFalse(problems("DELETE", "/chat/1/message/3", null, 204, "", "{}").isEmpty());
        assertFalse(problems("GET", "/chat/1", null, 404, "text/html", "<h1>Not Found</h1>").isEmpty());
    }

    @Test
    void aPathOrMethodNotDocumentedMustBeAJsonError() {
        assertFalse(problems("GET", "/admin", null, 200, "application/json", "{}").isEmpty());
        assertFalse(problems("PUT", "/chats", null, 404, "text/plain", "Not Found").isEmpty());
        assertFalse(problems("PUT", "/chats", null, 404, "application/json", "{\"message\":\"Not Found\"}").isEmpty());
    }

    @Test
    void anAcceptedRequestTheDocumentRefusesIsReported() {
        List<String> found = problems("POST", "/chat/1/messages", "{\"limit\":500,\"before\":1,\"after\":2}", 200,
                "application/json", "{\"messages\":[],\"hasOlder\":false,\"hasNewer\":false,\"source\":\"redis\"}");
        assertTrue(found.stream().allMatch(p -> p.contains("accepted a request body the document refuses")), found.toString());
        assertTrue(found.stream().anyMatch(p -> p.contains("/limit")), found.toString());
        assertTrue(found.stream().anyMatch(p -> p.contains("/after")), found.toString());
        assertEquals(List.of(), problems("POST", "/chat/1/messages", "{\"limit\":500}", 400,
                "application/json", "{\"error\":\"'limit' must be an integer from 1 to 100\"}"), "a refused request is not judged");
    }

    private static List<String> problems(String method, String target, String request, int status, String type, String body) {
        return DOCUMENT.problems(new ApiDocument.Exchange(method, target, request, status, type, body));
    }

    /** Calls back with (pointer of the object holding the schema, example value) for every example next to a schema. */
    private static void examples(JsonNode node, String pointer, java.util.function.BiConsumer<String, JsonNode> each) {
        if (!node.isContainerNode()) {
            return;
        }
        if (node.isObject() && node.has("schema")) {
            if (node.has("example")) {
                each.accept(pointer, node.get("example"));
            }
            node.path("examples").fields().forEachRemaining(e -> each.accept(pointer, e.getValue().get("value")));
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : (Iterable<Map.Entry<String, JsonNode>>) node::fields) {
                examples(field.getValue(), pointer + "/" + field.getKey().replace("~", "~0").replace("/", "~1"), each);
            }
        } else {
            for (int i = 0; i < node.size(); i++) {
                examples(node.get(i), pointer + "/" + i, each);
            }
        }
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
