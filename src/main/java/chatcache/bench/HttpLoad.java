package chatcache.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * HTTP requests to the app on 127.0.0.1: one at a time ({@link #fetch}) or as closed-loop load
 * of C clients ({@link #run}, through {@link ClosedLoop}).
 */
final class HttpLoad {
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final URI base;

    HttpLoad(URI base) {
        if (!"127.0.0.1".equals(base.getHost())) {
            throw new IllegalArgumentException("the bench only talks to 127.0.0.1, not " + base);
        }
        this.base = base;
        // why HTTP/1.1: the JDK client would otherwise try an h2c upgrade on every new connection
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(TIMEOUT)
                .build();
    }

    /** One page as a client sees it. */
    record Answer(int status, List<Long> ids, boolean hasOlder, boolean hasNewer, String source, String error, int unread) {
        boolean ok(Workload w, Route r) {
            return problem(w, r) == null;
        }

        String problem(Workload w, Route r) {
            if (error != null) {
                return error;
            }
            if (w.write()) {
                return status == 201 ? null : "HTTP " + status;
            }
            if (status != 200) {
                return "HTTP " + status;
            }
            if (ids.size() != w.expectedMessages()) {
                return ids.size() + " messages instead of " + w.expectedMessages();
            }
            if (!r.source().equals(source)) {
                return "answered from " + source + " instead of " + r.source();
            }
            return null;
        }
    }

    private HttpRequest request(long chatId, String token, Workload workload) {
        return HttpRequest.newBuilder(base.resolve(workload.path(chatId)))
                .timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(workload.body()))
                .build();
    }

    /** One request, parsed. */
    Answer fetch(long chatId, String token, Workload workload) throws InterruptedException {
        return send(request(chatId, token, workload));
    }

    private Answer send(HttpRequest request) throws InterruptedException {
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            return new Answer(0, List.of(), false, false, null, e.toString(), 0);
        }
        if (response.statusCode() == 201) {
            return new Answer(201, List.of(), false, false, null, null, 0);
        }
        if (response.statusCode() != 200) {
            return new Answer(response.statusCode(), List.of(), false, false, null,
                    "HTTP " + response.statusCode() + ": " + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8), 0);
        }
        try {
            JsonNode root = JSON.readTree(response.body());
            List<Long> ids = new ArrayList<>();
            int unread = 0;
            for (JsonNode m : root.path("messages")) {
                ids.add(m.path("id").asLong());
                if (!m.path("read").asBoolean(true)) {
                    unread++;
                }
            }
            return new Answer(200, ids, root.path("hasOlder").asBoolean(), root.path("hasNewer").asBoolean(),
                    root.path("source").asText(null), null, unread);
        } catch (IOException e) {
            return new Answer(200, List.of(), false, false, null, "unreadable answer: " + e.getMessage(), 0);
        }
    }

    /** Closed-loop HTTP load of one workload on one route; see {@link ClosedLoop#run}. */
    ClosedLoop.Run run(long chatId, String token, Workload workload, Route route, int clients, Duration warmup,
                       Duration duration) throws InterruptedException {
        HttpRequest request = request(chatId, token, workload);
        return ClosedLoop.run(() -> () -> () -> {
            Answer answer = send(request);
            return answer.problem(workload, route);
        }, clients, warmup, duration);
    }
}
