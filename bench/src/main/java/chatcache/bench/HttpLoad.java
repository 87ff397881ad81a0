package chatcache.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * HTTP requests to the app on 127.0.0.1 over {@link KeepAliveConnection}s: one at a time
 * ({@link #fetch}) or as closed-loop load of C clients ({@link #run}, through {@link ClosedLoop}),
 * each answer checked (status, page size, source).
 */
final class HttpLoad {
    static final int TIMEOUT_MILLIS = 10_000;
    private static final JsonFactory JSON = new JsonFactory();

    private final InetSocketAddress address;

    /** @param address the app's; {@link KeepAliveConnection} refuses any but a loopback address */
    HttpLoad(InetSocketAddress address) {
        this.address = address;
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
            if (!r.gives(source)) {
                return "answered from " + source + " instead of " + r.source();
            }
            return null;
        }
    }

    /** One request, parsed, on a connection of its own. */
    Answer fetch(long chatId, String token, Workload workload) {
        try (KeepAliveConnection connection = new KeepAliveConnection(address, TIMEOUT_MILLIS)) {
            return send(connection, request(chatId, token, workload));
        }
    }

    private byte[] request(long chatId, String token, Workload workload) {
        return KeepAliveConnection.post(address, workload.path(chatId), token, workload.body());
    }

    private static Answer send(KeepAliveConnection connection, byte[] request) {
        try {
            return answer(connection.exchange(request));
        } catch (IOException | RuntimeException e) {
            return new Answer(0, List.of(), false, false, null, e.toString(), 0);
        }
    }

    /** A response read as a page (or a write's 201, or an error). */
    static Answer answer(KeepAliveConnection.Response response) {
        if (response.status() == 201) {
            return new Answer(201, List.of(), false, false, null, null, 0);
        }
        if (response.status() != 200) {
            return new Answer(response.status(), List.of(), false, false, null,
                    "HTTP " + response.status() + ": " + new String(response.body(), StandardCharsets.UTF_8), 0);
        }
        try {
            return page(response.body());
        } catch (IOException | RuntimeException e) {
            return new Answer(200, List.of(), false, false, null, "unreadable answer: " + e.getMessage(), 0);
        }
    }

    /** A page's ids, flags, source and unread count, read with a streaming parser (no tree). */
    private static Answer page(byte[] body) throws IOException {
        List<Long> ids = new ArrayList<>();
        boolean hasOlder = false;
        boolean hasNewer = false;
        String source = null;
        int unread = 0;
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "messages" -> {
                        if (value != JsonToken.START_ARRAY) {
                            throw new IOException("'messages' is not an array");
                        }
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String name = p.currentName();
                                JsonToken v = p.nextToken();
                                if (name.equals("id")) {
                                    ids.add(p.getLongValue());
                                } else if (name.equals("read") && v == JsonToken.VALUE_FALSE) {
                                    unread++;
                                } else {
                                    p.skipChildren();
                                }
                            }
                        }
                    }
                    case "hasOlder" -> hasOlder = value == JsonToken.VALUE_TRUE;
                    case "hasNewer" -> hasNewer = value == JsonToken.VALUE_TRUE;
                    case "source" -> source = p.getValueAsString();
                    default -> p.skipChildren();
                }
            }
        }
        return new Answer(200, ids, hasOlder, hasNewer, source, null, unread);
    }

    /**
     * Clients asking GET /me/unread with a member's token; an answer must be 200 and name
     * {@code chats} chats.
     */
    ClosedLoop.ClientFactory unreadClients(String token, int chats) {
        return checkedClients(KeepAliveConnection.get(address, "/me/unread", token), response -> {
            if (response.status() != 200) {
                return "HTTP " + response.status();
            }
            String body = new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
            int named = body.split("\"chatId\"", -1).length - 1;
            return named == chats ? null : named + " chats instead of " + chats;
        });
    }

    /**
     * Clients for {@link ClosedLoop}: each sends the workload's request over a keep-alive
     * connection of its own and checks every answer (status, page size, source).
     */
    ClosedLoop.ClientFactory clients(long chatId, String token, Workload workload, Route route) {
        return checkedClients(request(chatId, token, workload), response -> answer(response).problem(workload, route));
    }

    /**
     * Clients that send this request again and again over a keep-alive connection of their own;
     * {@code problem} says what is wrong with an answer (null: nothing).
     */
    private ClosedLoop.ClientFactory checkedClients(byte[] request,
                                                    java.util.function.Function<KeepAliveConnection.Response, String> problem) {
        return () -> {
            KeepAliveConnection connection = new KeepAliveConnection(address, TIMEOUT_MILLIS);
            return new ClosedLoop.Client() {
                /** The last answer found right; the same bytes again need no second look. */
                private byte[] checked;

                @Override
                public ClosedLoop.Op op() {
                    return () -> {
                        KeepAliveConnection.Response response;
                        try {
                            response = connection.exchange(request);
                        } catch (IOException e) {
                            return e.toString();
                        }
                        // why: parsing every answer cost the client as much CPU as the app spent
                        // writing it (JFR, BENCHMARKS.md run F); an answer byte for byte equal to
                        // one already checked is right, every other one is parsed and checked
                        if (response.status() == 200 && Arrays.equals(response.body(), checked)) {
                            return null;
                        }
                        String found = problem.apply(response);
                        if (found == null && response.status() == 200) {
                            checked = response.body();
                        }
                        return found;
                    };
                }

                @Override
                public void close() {
                    connection.close();
                }
            };
        };
    }
}
