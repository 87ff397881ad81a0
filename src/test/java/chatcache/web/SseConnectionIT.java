package chatcache.web;

import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link SseConnection} on the real Jetty under WebApp's server settings (compression, graceful
 * stop, idle timeout shortened to {@link #IDLE_MILLIS}), behind a test route that opens one
 * connection per request and hands it to the test, which plays the events hub.
 */
class SseConnectionIT {
    private static final long IDLE_MILLIS = 1_000;
    private static final byte[] PING = ": ping\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final SseSettings ROOMY = new SseSettings(100_000, 64 * 1024 * 1024, 1_500);
    private static final SseSettings TIGHT = new SseSettings(64, 1024 * 1024, 1_500);

    private final BlockingQueue<SseConnection> opened = new LinkedBlockingQueue<>();
    private final List<SseConnection> all = new CopyOnWriteArrayList<>();
    private final Set<String> drainThreads = ConcurrentHashMap.newKeySet();
    private volatile SseSettings settings = ROOMY;
    private ThreadPoolExecutor writerPool;
    private Executor writers;
    private ScheduledExecutorService heartbeats;
    private final List<SseConnection> beating = new CopyOnWriteArrayList<>();
    private Javalin app;
    private URI events;
    private HttpClient http;

    @BeforeEach
    void start() {
        AtomicInteger n = new AtomicInteger();
        writerPool = (ThreadPoolExecutor) Executors.newFixedThreadPool(2, r -> new Thread(r, "sse-writer-" + n.incrementAndGet()));
        writers = task -> writerPool.execute(() -> {
            drainThreads.add(Thread.currentThread().getName());
            task.run();
        });
        // the hub's heartbeat, as it will be: a ping on every stream idle for a while
        heartbeats = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "test-heartbeat"));
        heartbeats.scheduleWithFixedDelay(() -> beating.forEach(c -> {
            if (c.idleNanos() > TimeUnit.MILLISECONDS.toNanos(200)) {
                c.send(PING);
            }
        }), 100, 100, TimeUnit.MILLISECONDS);
        app = startApp(new HttpLimits(64 * 1024, 10_000, IDLE_MILLIS, 1_024, 10_000));
        events = URI.create("http://127.0.0.1:" + app.port() + "/test/events");
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private Javalin startApp(HttpLimits limits) {
        return Javalin.create(config -> {
            WebApp.server(config, limits, new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
            config.routes.addHttpHandler(HandlerType.GET, "/test/events",
                    ctx -> {
                        SseConnection connection = SseConnection.open(ctx, settings, writers);
                        all.add(connection);
                        opened.add(connection);
                    });
        }).start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() throws InterruptedException {
        heartbeats.shutdownNow();
        // as the App's shutdown hook will: an open stream would hold the stop for its whole timeout
        all.forEach(c -> c.close("test over"));
        if (app != null) {
            app.stop();
        }
        writerPool.shutdownNow();
        assertTrue(writerPool.awaitTermination(5, TimeUnit.SECONDS));
    }

    @Test
    void framesArriveInOrderAfterTheRetryLineWithStreamHeadersAndNoGzip() throws Exception {
        Client client = Client.connect(http, events);
        SseConnection connection = next();
        HttpResponse.ResponseInfo response = client.headers.get(5, TimeUnit.SECONDS);
        assertEquals(200, response.statusCode());
        assertEquals("text/event-stream", response.headers().firstValue("Content-Type").orElse(null));
        assertEquals("no-store", response.headers().firstValue("Cache-Control").orElse(null));
        assertEquals("no", response.headers().firstValue("X-Accel-Buffering").orElse(null));
        assertFalse(response.headers().firstValue("Content-Encoding").isPresent(), "the client accepts gzip, the stream is not gzipped");
        assertEquals(List.of("retry: 1500"), client.nextEvent());

        for (int i = 0; i < 2_000; i++) {
            assertTrue(connection.send(frame(i, "x".repeat(i % 300))));
        }
        for (int i = 0; i < 2_000; i++) {
            assertEquals(List.of("id: " + i, "event: test", "data: {\"n\":" + i + ",\"pad\":\"" + "x".repeat(i % 300) + "\"}"),
                    client.nextEvent());
        }
        assertTrue(connection.isOpen());
        assertNull(connection.closedReason());
    }

    @Test
    void twoHundredStreamsAreServedByTwoWriterThreadsWithoutHoldingServerThreads() throws Exception {
        // why a roomy idle timeout here: opening 200 streams and reading their first lines can take
        // over the class's 1 s on a loaded machine, which cut the first streams before their frames
        app.stop();
        app = startApp(new HttpLimits(64 * 1024, 10_000, 10_000, 1_024, 10_000));
        events = URI.create("http://127.0.0.1:" + app.port() + "/test/events");
        List<Client> clients = new ArrayList<>();
        List<SseConnection> connections = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            clients.add(Client.connect(http, events));
        }
        for (int i = 0; i < 200; i++) {
            connections.add(next());
        }
        for (Client client : clients) {
            assertEquals(List.of("retry: 1500"), client.nextEvent());
        }
        QueuedThreadPool jettyThreads = (QueuedThreadPool) app.jettyServer().server().getThreadPool();
        // why a bound and not 0: Jetty's acceptor and selector threads count as busy
        assertTrue(jettyThreads.getBusyThreads() < 10, "200 open streams hold no server thread: " + jettyThreads.getBusyThreads() + " busy");

        for (int i = 0; i < 20; i++) {
            for (SseConnection connection : connections) {
                assertTrue(connection.send(frame(i, "")));
            }
        }
        for (Client client : clients) {
            for (int i = 0; i < 20; i++) {
                assertEquals(List.of("id: " + i, "event: test", "data: {\"n\":" + i + ",\"pad\":\"\"}"), client.nextEvent());
            }
        }
        assertTrue(writerPool.getLargestPoolSize() <= 2);
        assertTrue(Set.of("sse-writer-1", "sse-writer-2").containsAll(drainThreads), "drains ran on " + drainThreads);
        assertTrue(jettyThreads.getBusyThreads() < 10, jettyThreads.getBusyThreads() + " busy");
    }

    @Test
    void aClientThatStopsReadingIsDroppedWithinABoundAndBlocksNoThread() throws Exception {
        settings = TIGHT;
        Client fast = Client.connect(http, events);
        SseConnection fastConnection = next();
        assertEquals(List.of("retry: 1500"), fast.nextEvent());

        try (Socket slow = new Socket()) {
            slow.setReceiveBufferSize(4096);
            slow.connect(new InetSocketAddress("127.0.0.1", app.port()), 5_000);
            request(slow);
            SseConnection slowConnection = next();
            AtomicInteger closes = new AtomicInteger();
            slowConnection.onClose(closes::incrementAndGet);

            // the hub's reader: each frame to both, at the pace the fast client takes them; every
            // send must return at once, and only the slow one may be refused
            String pad = "y".repeat(8 * 1024);
            ExecutorService reader = Executors.newSingleThreadExecutor();
            long[] slowestSendNanos = {0};
            Future<Integer> rounds = reader.submit(() -> {
                for (int i = 0; i < 100_000; i++) {
                    byte[] frame = frame(i, pad);
                    long before = System.nanoTime();
                    boolean taken = slowConnection.send(frame);
                    assertTrue(fastConnection.send(frame), "the fast client was refused at " + i);
                    slowestSendNanos[0] = Math.max(slowestSendNanos[0], System.nanoTime() - before);
                    if (!taken) {
                        return i;
                    }
                    awaitTrue(() -> fastConnection.queuedFrames() == 0, Duration.ofSeconds(5), "the fast client took frame " + i);
                }
                return -1;
            });
            int dropped;
            try {
                dropped = rounds.get(30, TimeUnit.SECONDS);
            } finally {
                reader.shutdownNow();
            }
            System.out.printf("slow client dropped at frame %d of 8 KiB; slowest send %.2f ms%n", dropped, slowestSendNanos[0] / 1e6);
            // the queue's 64 plus what the kernel (tcp_wmem up to 4 MiB here) and Jetty's buffer hold
            assertTrue(dropped >= TIGHT.maxQueuedFrames() && dropped < TIGHT.maxQueuedFrames() + 6 * 1024 / 8,
                    "dropped at frame " + dropped);
            assertTrue(slowestSendNanos[0] < TimeUnit.MILLISECONDS.toNanos(500), "slowest send took " + slowestSendNanos[0] / 1_000_000 + " ms");
            assertEquals("too slow", slowConnection.closedReason());
            assertFalse(slowConnection.isOpen());
            assertFalse(slowConnection.send(PING));
            // the last frame cannot be written: the shortened idle timeout ends the pending write
            awaitTrue(() -> closes.get() == 1, Duration.ofSeconds(5), "onClose of the dropped stream");
            awaitTrue(() -> writerPool.getActiveCount() == 0, Duration.ofSeconds(2), "writer threads idle");

            for (int i = 0; i <= dropped; i++) {
                assertEquals(List.of("id: " + i, "event: test", "data: {\"n\":" + i + ",\"pad\":\"" + pad + "\"}"), fast.nextEvent());
            }
            long before = System.nanoTime();
            assertTrue(fastConnection.send(frame(-1, "")));
            assertEquals(List.of("id: -1", "event: test", "data: {\"n\":-1,\"pad\":\"\"}"), fast.nextEvent());
            assertTrue(System.nanoTime() - before < TimeUnit.SECONDS.toNanos(1), "the fast client still receives promptly");
        }
    }

    @Test
    void aClientThatDisconnectsIsNoticedByTheHeartbeat() throws Exception {
        Socket socket = new Socket("127.0.0.1", app.port());
        request(socket);
        SseConnection connection = next();
        CompletableFuture<String> closed = new CompletableFuture<>();
        connection.onClose(() -> closed.complete(connection.closedReason()));
        beating.add(connection);
        readUntil(socket.getInputStream(), "retry: 1500\n\n");
        socket.close();

        assertEquals("client gone", closed.get(5, TimeUnit.SECONDS));
        assertFalse(connection.isOpen());
        assertFalse(connection.send(PING));
    }

    @Test
    void closeDeliversTheClosedEventThenEndsTheStreamOnce() throws Exception {
        Client client = Client.connect(http, events);
        SseConnection connection = next();
        AtomicInteger closes = new AtomicInteger();
        connection.onClose(closes::incrementAndGet);
        assertEquals(List.of("retry: 1500"), client.nextEvent());
        assertTrue(connection.send(frame(1, "")));

        connection.close("access \"revoked\"");
        connection.close("server stopping");

        assertEquals(List.of("id: 1", "event: test", "data: {\"n\":1,\"pad\":\"\"}"), client.nextEvent());
        assertEquals(List.of("event: closed", "data: {\"reason\":\"access \\\"revoked\\\"\"}"), client.nextEvent());
        client.awaitEnd();
        awaitTrue(() -> closes.get() == 1, Duration.ofSeconds(5), "onClose");
        assertEquals("access \"revoked\"", connection.closedReason());
        assertFalse(connection.send(PING));
        AtomicInteger late = new AtomicInteger();
        connection.onClose(late::incrementAndGet);
        assertEquals(1, late.get(), "a callback added after the end runs at once");
        assertEquals(1, closes.get());
    }

    @Test
    void heartbeatsKeepAStreamOpenPastTheIdleTimeout() throws Exception {
        Client client = Client.connect(http, events);
        SseConnection connection = next();
        beating.add(connection);
        assertEquals(List.of("retry: 1500"), client.nextEvent());

        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3 * IDLE_MILLIS);
        while (System.nanoTime() < until) {
            assertTrue(connection.isOpen(), "closed after heartbeats: " + connection.closedReason());
            assertEquals(List.of(": ping"), client.nextEvent());
        }
        assertTrue(connection.send(frame(3, "")));
        List<String> event;
        do {
            event = client.nextEvent();
        } while (event.equals(List.of(": ping")));
        assertEquals(List.of("id: 3", "event: test", "data: {\"n\":3,\"pad\":\"\"}"), event);
    }

    @Test
    void jettysIdleTimeoutDoesNotEndAStreamThatWaitsWithNothingToWrite() throws Exception {
        // why it matters: heartbeats are what finds a client that went away (see the next test); without
        // a write, Jetty 12.1's idle timeout leaves a suspended request alone
        Client client = Client.connect(http, events);
        SseConnection connection = next();
        assertEquals(List.of("retry: 1500"), client.nextEvent());

        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3 * IDLE_MILLIS);
        while (System.nanoTime() < until) {
            assertTrue(connection.isOpen(), "closed without heartbeats: " + connection.closedReason());
            assertNull(client.lines.poll(100, TimeUnit.MILLISECONDS));
        }
        assertTrue(connection.send(frame(4, "")));
        assertEquals(List.of("id: 4", "event: test", "data: {\"n\":4,\"pad\":\"\"}"), client.nextEvent());
    }

    @Test
    void aClientThatStopsReadingWhileFewFramesComeIsCutOffByTheIdleTimeout() throws Exception {
        settings = TIGHT;
        try (Socket stuck = new Socket()) {
            stuck.setReceiveBufferSize(4096);
            stuck.connect(new InetSocketAddress("127.0.0.1", app.port()), 5_000);
            request(stuck);
            SseConnection connection = next();
            CompletableFuture<String> closed = new CompletableFuture<>();
            connection.onClose(() -> closed.complete(connection.closedReason()));

            // one frame at a time, the next once the last was handed to the socket: never near the bound
            byte[] frame = frame(1, "z".repeat(64 * 1024));
            int sent = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (connection.isOpen()) {
                assertTrue(System.nanoTime() < deadline, "still open after " + sent + " frames of 64 KiB");
                if (connection.queuedFrames() == 0) {
                    assertTrue(connection.send(frame) || !connection.isOpen());
                    sent++;
                } else {
                    Thread.sleep(5);
                }
            }
            System.out.printf("a stuck client took %d frames of 64 KiB before the idle timeout cut it off%n", sent);
            assertEquals("client gone", closed.get(5, TimeUnit.SECONDS), "not dropped by the bound, ended by the idle timeout");
            awaitTrue(() -> writerPool.getActiveCount() == 0, Duration.ofSeconds(2), "writer threads idle");
        }
    }

    @Test
    void aGracefulStopProceedsAtOnceWhenTheStreamsWereClosed() throws Exception {
        Client client = Client.connect(http, events);
        SseConnection connection = next();
        assertEquals(List.of("retry: 1500"), client.nextEvent());

        long before = System.nanoTime();
        connection.close("server stopping");
        app.stop();
        app = null;
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);

        assertTrue(tookMillis < 3_000, "stop took " + tookMillis + " ms; its timeout is 10 s");
        assertEquals(List.of("event: closed", "data: {\"reason\":\"server stopping\"}"), client.nextEvent());
        client.awaitEnd();
    }

    @Test
    void aStreamLeftOpenHoldsAGracefulStopForItsWholeTimeout() throws Exception {
        // the control for the test above: the hub must close its streams before the server stops
        app.stop();
        app = startApp(new HttpLimits(64 * 1024, 10_000, IDLE_MILLIS, 1_024, 2_000));
        events = URI.create("http://127.0.0.1:" + app.port() + "/test/events");
        Client client = Client.connect(http, events);
        next();
        assertEquals(List.of("retry: 1500"), client.nextEvent());

        long before = System.nanoTime();
        try {
            app.stop();
        } catch (RuntimeException timedOut) {
            // Javalin reports the stop timeout as a failure to stop gracefully
        }
        app = null;
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);
        assertTrue(tookMillis >= 2_000, "stop took " + tookMillis + " ms");
    }

    private SseConnection next() throws InterruptedException {
        SseConnection connection = opened.poll(5, TimeUnit.SECONDS);
        assertNotNull(connection, "the route opened no stream");
        return connection;
    }

    private static byte[] frame(int n, String pad) {
        return ("id: " + n + "\nevent: test\ndata: {\"n\":" + n + ",\"pad\":\"" + pad + "\"}\n\n").getBytes(StandardCharsets.UTF_8);
    }

    private static void request(Socket socket) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("GET /test/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static void readUntil(InputStream in, String text) throws IOException {
        StringBuilder seen = new StringBuilder();
        while (seen.indexOf(text) < 0) {
            int b = in.read();
            if (b < 0) {
                fail("the stream ended before '" + text + "': " + seen);
            }
            seen.append((char) b);
        }
    }

    private static void awaitTrue(BooleanSupplier condition, Duration within, String what) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + within + ": " + what);
            }
            Thread.sleep(10);
        }
    }

    /** An SSE client over java.net.http without a thread of its own: lines arrive in a queue. */
    private static final class Client implements Flow.Subscriber<String> {
        private static final String END = new String("(end)");
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final CompletableFuture<HttpResponse.ResponseInfo> headers = new CompletableFuture<>();

        static Client connect(HttpClient http, URI uri) {
            Client client = new Client();
            HttpRequest request = HttpRequest.newBuilder(uri)
                    .header("Accept", "text/event-stream")
                    .header("Accept-Encoding", "gzip")
                    .build();
            http.sendAsync(request, info -> {
                client.headers.complete(info);
                return HttpResponse.BodySubscribers.fromLineSubscriber(client);
            }).whenComplete((response, failure) -> client.headers.completeExceptionally(
                    failure != null ? failure : new IllegalStateException("the response ended")));
            return client;
        }

        /** The next event's lines (up to the blank line). */
        List<String> nextEvent() throws InterruptedException {
            List<String> event = new ArrayList<>();
            while (true) {
                String line = lines.poll(5, TimeUnit.SECONDS);
                if (line == null) {
                    fail("no line within 5 s; event so far " + event);
                }
                if (line == END) {
                    fail("the stream ended; event so far " + event);
                }
                if (line.isEmpty()) {
                    return event;
                }
                event.add(line);
            }
        }

        void awaitEnd() throws InterruptedException {
            String line = lines.poll(5, TimeUnit.SECONDS);
            assertTrue(line == END, "expected the end of the stream, got " + line);
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            lines.add(line);
        }

        @Override
        public void onError(Throwable throwable) {
            lines.add(END);
        }

        @Override
        public void onComplete() {
            lines.add(END);
        }
    }
}
