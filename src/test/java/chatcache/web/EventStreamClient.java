package chatcache.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Server-Sent Events client for the tests: opens {@code GET /chat/{id}/events} and parses the
 * frames (id, event, data; comment lines counted as heartbeats) into a queue the test takes from.
 * Each event's data is checked against its schema in the OpenAPI document.
 */
public final class EventStreamClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> SCHEMAS = Map.of(
            "message.created", "#/components/schemas/Message",
            "message.edited", "#/components/schemas/Message",
            "message.deleted", "#/components/schemas/MessageDeletedEvent",
            "message.read", "#/components/schemas/MessagesReadEvent",
            "reset", "#/components/schemas/StreamNotice",
            "paused", "#/components/schemas/StreamNotice",
            "closed", "#/components/schemas/StreamNotice",
            "resumed", "#/components/schemas/StreamResumed");

    /** One frame: {@code id} null when it had none. */
    public record Event(String id, String event, String data) {
        public JsonNode json() {
            try {
                return JSON.readTree(data);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The end of the stream, as a queue item. */
    private static final Event END = new Event(null, "(end)", "");

    public final int status;
    public final String contentType;
    public final String errorBody;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Stream<String> lines;
    volatile int heartbeats;
    volatile Integer retry;

    private EventStreamClient(HttpResponse<Stream<String>> response, String path) {
        this.status = response.statusCode();
        this.contentType = response.headers().firstValue("Content-Type").orElse("");
        this.lines = response.body();
        if (status != 200) {
            this.errorBody = String.join("\n", lines.toList());
            OpenApiConformance.observe(new ApiDocument.Exchange("GET", path, null, status, contentType, errorBody));
            return;
        }
        this.errorBody = null;
        OpenApiConformance.observe(new ApiDocument.Exchange("GET", path, null, status, contentType, null));
        Thread reader = new Thread(() -> parse(path), "sse-test-client");
        reader.setDaemon(true);
        reader.start();
    }

    /** Opens a stream; {@code lastEventId} and {@code authorization} may be null. */
    public static EventStreamClient open(HttpClient http, URI base, String path, String authorization, String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).GET()
                .header("Accept", "text/event-stream");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        try {
            CompletableFuture<HttpResponse<Stream<String>>> answer = http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines());
            return new EventStreamClient(answer.get(10, TimeUnit.SECONDS), path);
        } catch (Exception e) {
            throw new IllegalStateException("GET " + path + ": " + e, e);
        }
    }

    private void parse(String path) {
        String id = null;
        String event = null;
        StringBuilder data = null;
        try {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.isEmpty()) {
                    if (data != null) {
                        Event e = new Event(id, event == null ? "message" : event, data.toString());
                        String schema = SCHEMAS.get(e.event());
                        if (schema != null) {
                            for (String p : ApiDocument.get().validate(schema, e.data())) {
                                OpenApiConformance.observe(new ApiDocument.Exchange("GET", path, null, 599, "text/event-stream",
                                        "event " + e.event() + " does not conform: " + p));
                            }
                        }
                        events.add(e);
                    }
                    id = null;
                    event = null;
                    data = null;
                } else if (line.startsWith(":")) {
                    heartbeats++;
                } else if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data = (data == null ? new StringBuilder() : data.append('\n')).append(line.substring(6));
                } else if (line.startsWith("retry: ")) {
                    retry = Integer.parseInt(line.substring(7));
                }
            }
        } catch (RuntimeException e) {
            // the connection was cut: the end of the stream
        } finally {
            events.add(END);
        }
    }

    /** The next event, waiting up to {@code timeout}; fails when none comes or the stream ended. */
    public Event next(Duration timeout) {
        Event e = poll(timeout);
        assertNotNull(e, "no event within " + timeout);
        assertTrue(e != END, "the stream ended");
        return e;
    }

    /** The next event of this type, skipping none: fails when another comes first. */
    public Event next(String type, Duration timeout) {
        Event e = next(timeout);
        assertEquals(type, e.event(), "event " + e);
        return e;
    }

    /** The next event, or null when none came within the timeout. */
    public Event poll(Duration timeout) {
        try {
            return events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the server ends the stream; returns the events it sent before. */
    public List<Event> untilEnd(Duration timeout) {
        List<Event> seen = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Event e = poll(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            assertNotNull(e, "the stream did not end within " + timeout + "; saw " + seen);
            if (e == END) {
                return seen;
            }
            seen.add(e);
        }
    }

    /** Asserts nothing but heartbeats arrives for this long (the quiet after the expected events). */
    public void assertNothingFor(Duration quiet) {
        Event e = poll(quiet);
        assertTrue(e == null, "expected no event, got " + e);
    }

    @Override
    public void close() {
        lines.close();
    }
}
