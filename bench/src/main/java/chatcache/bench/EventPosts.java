package chatcache.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Posts at a fixed rate (open loop, unlike {@link ClosedLoop}), round-robin into the chats the
 * subscribers follow, while a read row is measured: issue #13's writers. Each post's send time is
 * taken just before its request is written and recorded in the {@link DeliveryLog} under the id
 * of the 201. why a fixed rate: delivery latency is a property of the events path at a given
 * load; closed-loop writers would post as fast as the app lets them and measure the writes.
 *
 * <p>{@link #THREADS} threads, each posting every {@code THREADS / rate} seconds on its own
 * keep-alive connection; a post slower than that delays its thread's next ones (the achieved rate
 * is reported).
 */
final class EventPosts {
    /**
     * why eight: with the read row's clients on both cores a post took ~20 ms in the smoke run, and
     * two threads reached half of 200/s; eight hold the rate while a post takes up to 40 ms.
     */
    static final int THREADS = 8;

    private final InetSocketAddress address;
    private final String token;
    private final List<Long> chats;
    private final int perSecond;
    private final DeliveryLog log;
    private final AtomicLong next = new AtomicLong();
    private final byte[][] requests;

    private final List<long[]> latencies = new ArrayList<>();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private double seconds;

    private volatile boolean running;
    private final List<Thread> threads = new ArrayList<>();
    private long startedAt;

    EventPosts(InetSocketAddress address, String token, List<Long> chats, int perSecond, DeliveryLog log) {
        this.address = address;
        this.token = token;
        this.chats = List.copyOf(chats);
        this.perSecond = perSecond;
        this.log = log;
        this.requests = new byte[chats.size()][];
        String body = Workload.posting().body();
        for (int i = 0; i < chats.size(); i++) {
            requests[i] = KeepAliveConnection.post(address, "/chat/" + chats.get(i) + "/message", token, body);
        }
    }

    /** Starts posting; {@link #stop} ends it. Windows add up. */
    void start() {
        running = true;
        startedAt = System.nanoTime();
        long spacing = Math.round(1e9 * THREADS / perSecond);
        threads.clear();
        for (int t = 0; t < THREADS; t++) {
            long first = startedAt + t * spacing / THREADS;
            Thread thread = new Thread(() -> post(first, spacing), "bench-event-poster-" + t);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    private void post(long first, long spacing) {
        long[] mine = new long[256];
        int n = 0;
        try (KeepAliveConnection connection = new KeepAliveConnection(address, HttpLoad.TIMEOUT_MILLIS)) {
            for (long due = first; running; due += spacing) {
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                    if (!running) {
                        break;
                    }
                }
                int chat = (int) (next.getAndIncrement() % chats.size());
                long t0 = System.nanoTime();
                String problem;
                KeepAliveConnection.Response r = null;
                try {
                    r = connection.exchange(requests[chat]);
                    problem = null;
                } catch (IOException e) {
                    problem = e.toString();
                }
                if (n == mine.length) {
                    mine = Arrays.copyOf(mine, n * 2);
                }
                mine[n++] = System.nanoTime() - t0;
                if (r != null) {
                    long id = r.status() == 201 ? idOf(r.body()) : -1;
                    problem = r.status() != 201 ? "HTTP " + r.status() + ": " + new String(r.body(), StandardCharsets.UTF_8)
                            : id < 0 ? "a 201 without an id" : null;
                    if (problem == null) {
                        log.posted(chats.get(chat), id, t0);
                    }
                }
                if (problem != null) {
                    errors.incrementAndGet();
                    firstError.compareAndSet(null, problem);
                }
            }
        }
        synchronized (latencies) {
            latencies.add(Arrays.copyOf(mine, n));
        }
    }

    /** The message's id: the 201's body starts with it ({"id":123,...}). */
    static long idOf(byte[] body) {
        String text = new String(body, 0, Math.min(body.length, 64), StandardCharsets.UTF_8);
        String prefix = "{\"id\":";
        if (!text.startsWith(prefix)) {
            return -1;
        }
        long id = 0;
        int i = prefix.length();
        if (i >= text.length() || !Character.isDigit(text.charAt(i))) {
            return -1;
        }
        for (; i < text.length() && Character.isDigit(text.charAt(i)); i++) {
            id = id * 10 + (text.charAt(i) - '0');
        }
        return id;
    }

    /** Stops posting; every thread finishes its post in flight. */
    void stop() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.interrupt(); // wakes a thread parked until its next post; a post in flight is not interrupted by it
            t.join(HttpLoad.TIMEOUT_MILLIS + 1_000L);
            if (t.isAlive()) {
                throw new IllegalStateException(t.getName() + " did not stop");
            }
        }
        seconds += (System.nanoTime() - startedAt) / 1e9;
    }

    /** What the posters did over every window. */
    BenchResult.Writers result() {
        long[] all;
        synchronized (latencies) {
            all = latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        }
        ClosedLoop.Run run = new ClosedLoop.Run(all.length + 0L, errors.get(), Math.max(1e-9, seconds), all, firstError.get());
        return BenchResult.Writers.of(THREADS, run);
    }
}
