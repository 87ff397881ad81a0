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
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Closed-loop HTTP load: C client threads each send one request, wait for the answer, check it,
 * and send the next, until a deadline. Latencies go to a plain long[] per thread, merged and
 * sorted at the end (no histogram library; fine at these volumes).
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
    record Answer(int status, List<Long> ids, boolean hasOlder, boolean hasNewer, String source, String error) {
        boolean ok(Workload w, Route r) {
            return problem(w, r) == null;
        }

        String problem(Workload w, Route r) {
            if (error != null) {
                return error;
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

    /** What C clients achieved in the measured window of one workload on one route. */
    record Run(long requests, long errors, double seconds, long[] sortedNanos, String firstError) {

        /** Several windows of the same workload and route as one. */
        static Run merge(List<Run> runs) {
            long[] all = runs.stream().flatMapToLong(r -> Arrays.stream(r.sortedNanos())).sorted().toArray();
            return new Run(runs.stream().mapToLong(Run::requests).sum(), runs.stream().mapToLong(Run::errors).sum(),
                    runs.stream().mapToDouble(Run::seconds).sum(), all,
                    runs.stream().map(Run::firstError).filter(e -> e != null).findFirst().orElse(null));
        }
    }

    private HttpRequest request(long chatId, String token, Workload workload) {
        return HttpRequest.newBuilder(base.resolve("/chat/" + chatId + "/messages"))
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
            return new Answer(0, List.of(), false, false, null, e.toString());
        }
        if (response.statusCode() != 200) {
            return new Answer(response.statusCode(), List.of(), false, false, null,
                    "HTTP " + response.statusCode() + ": " + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
        }
        try {
            JsonNode root = JSON.readTree(response.body());
            List<Long> ids = new ArrayList<>();
            for (JsonNode m : root.path("messages")) {
                ids.add(m.path("id").asLong());
            }
            return new Answer(200, ids, root.path("hasOlder").asBoolean(), root.path("hasNewer").asBoolean(),
                    root.path("source").asText(null), null);
        } catch (IOException e) {
            return new Answer(200, List.of(), false, false, null, "unreadable answer: " + e.getMessage());
        }
    }

    /**
     * {@code clients} threads repeat the workload for {@code warmup}, then for {@code duration};
     * only requests started in the second window count. Every loop stops by time.
     */
    Run run(long chatId, String token, Workload workload, Route route, int clients, Duration warmup,
            Duration duration) throws InterruptedException {
        HttpRequest request = request(chatId, token, workload);
        long start = System.nanoTime();
        long measureFrom = start + warmup.toNanos();
        long end = measureFrom + duration.toNanos();
        long[][] latencies = new long[clients][];
        long[] counts = new long[clients];
        long[] errors = new long[clients];
        AtomicReference<String> firstError = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < clients; t++) {
            int me = t;
            Thread thread = new Thread(() -> {
                long[] mine = new long[1024];
                int n = 0;
                long t0;
                while ((t0 = System.nanoTime()) < end) {
                    Answer answer;
                    try {
                        answer = send(request);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                    long took = System.nanoTime() - t0;
                    if (t0 < measureFrom) {
                        continue;
                    }
                    if (n == mine.length) {
                        mine = Arrays.copyOf(mine, n * 2);
                    }
                    mine[n++] = took;
                    String problem = answer.problem(workload, route);
                    if (problem != null) {
                        errors[me]++;
                        firstError.compareAndSet(null, problem);
                    }
                }
                latencies[me] = Arrays.copyOf(mine, n);
                counts[me] = n;
            }, "bench-client-" + t);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        long joinBy = end + TIMEOUT.toNanos() + 5_000_000_000L;
        for (Thread thread : threads) {
            long left = joinBy - System.nanoTime();
            if (left > 0) {
                thread.join(Math.max(1, left / 1_000_000));
            }
            if (thread.isAlive()) {
                thread.interrupt();
                throw new IllegalStateException(thread.getName() + " did not finish within the HTTP timeout");
            }
        }
        double seconds = Math.max(1e-9, (System.nanoTime() - measureFrom) / 1e9);
        long total = Arrays.stream(counts).sum();
        long[] all = new long[(int) total];
        int at = 0;
        for (long[] l : latencies) {
            System.arraycopy(l, 0, all, at, l.length);
            at += l.length;
        }
        Arrays.sort(all);
        return new Run(total, Arrays.stream(errors).sum(), seconds, all, firstError.get());
    }
}
