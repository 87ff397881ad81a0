package chatcache.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Closed-loop load: C client threads each run one operation, wait for it, check it, and run the
 * next, until a deadline. Latencies go to a plain long[] per thread, merged and sorted at the end.
 * Used alike for HTTP requests and for the raw-engine baselines, so that both are timed the same way.
 */
final class ClosedLoop {
    static final Duration STRAGGLER_TIMEOUT = Duration.ofSeconds(20);

    /** One client's operation: returns null when the answer is right, else what is wrong. */
    interface Op {
        String call() throws Exception;
    }

    /** A client: made on its own thread before the loop (e.g. borrows a connection), closed after it. */
    interface Client extends AutoCloseable {
        Op op();

        @Override
        default void close() throws Exception {
        }
    }

    interface ClientFactory {
        Client open() throws Exception;
    }

    /** What C clients achieved in the measured window. */
    record Run(long requests, long errors, double seconds, long[] sortedNanos, String firstError) {

        /** Several windows of the same workload and path as one. */
        static Run merge(List<Run> runs) {
            long[] all = runs.stream().flatMapToLong(r -> Arrays.stream(r.sortedNanos())).sorted().toArray();
            return new Run(runs.stream().mapToLong(Run::requests).sum(), runs.stream().mapToLong(Run::errors).sum(),
                    runs.stream().mapToDouble(Run::seconds).sum(), all,
                    runs.stream().map(Run::firstError).filter(e -> e != null).findFirst().orElse(null));
        }
    }

    private ClosedLoop() {
    }

    /**
     * {@code clients} threads repeat the operation for {@code warmup}, then for {@code duration};
     * only operations started in the second window count. Every loop stops by time.
     */
    static Run run(ClientFactory factory, int clients, Duration warmup, Duration duration) throws InterruptedException {
        long measureFrom = System.nanoTime() + warmup.toNanos();
        Loops loops = new Loops(factory, clients, measureFrom, measureFrom + duration.toNanos());
        return loops.finish();
    }

    /**
     * The same loop in the background, until {@link Background#stop}: load that runs while
     * another row is measured (writers under the reads). Operations started after {@code warmup} count.
     */
    static Background start(ClientFactory factory, int clients, Duration warmup) {
        return new Background(new Loops(factory, clients, System.nanoTime() + warmup.toNanos(), Long.MAX_VALUE));
    }

    /** Load started by {@link #start}. */
    static final class Background {
        private final Loops loops;

        private Background(Loops loops) {
            this.loops = loops;
        }

        /** Ends every loop after its current operation and returns what they achieved since the warm-up. */
        Run stop() throws InterruptedException {
            loops.end = System.nanoTime();
            return loops.finish();
        }
    }

    /** C client threads, each looping until {@code end}. */
    private static final class Loops {
        private final long measureFrom;
        /** why volatile: a background load's end is set by another thread when it is stopped. */
        private volatile long end;
        private final long[][] latencies;
        private final long[] errors;
        private final AtomicReference<String> firstError = new AtomicReference<>();
        private final List<Thread> threads = new ArrayList<>();

        Loops(ClientFactory factory, int clients, long measureFrom, long end) {
            this.measureFrom = measureFrom;
            this.end = end;
            this.latencies = new long[clients][];
            this.errors = new long[clients];
            for (int t = 0; t < clients; t++) {
                int me = t;
                Thread thread = new Thread(() -> loop(factory, me), "bench-client-" + t);
                thread.setDaemon(true);
                threads.add(thread);
                thread.start();
            }
        }

        private void loop(ClientFactory factory, int me) {
            long[] mine = new long[1024];
            int n = 0;
            try (Client client = factory.open()) {
                Op op = client.op();
                long t0;
                while ((t0 = System.nanoTime()) < end) {
                    String problem;
                    try {
                        problem = op.call();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    } catch (Exception e) {
                        problem = e.toString();
                    }
                    long took = System.nanoTime() - t0;
                    if (t0 < measureFrom) {
                        continue;
                    }
                    if (n == mine.length) {
                        mine = Arrays.copyOf(mine, n * 2);
                    }
                    mine[n++] = took;
                    if (problem != null) {
                        errors[me]++;
                        firstError.compareAndSet(null, problem);
                    }
                }
            } catch (Exception e) {
                errors[me]++;
                firstError.compareAndSet(null, "client failed: " + e);
            }
            latencies[me] = Arrays.copyOf(mine, n);
        }

        /** Waits for every thread (stragglers at most {@link #STRAGGLER_TIMEOUT} past the end) and merges. */
        Run finish() throws InterruptedException {
            long joinBy = end + STRAGGLER_TIMEOUT.toNanos();
            for (Thread thread : threads) {
                long left = joinBy - System.nanoTime();
                if (left > 0) {
                    thread.join(Math.max(1, left / 1_000_000));
                }
                if (thread.isAlive()) {
                    thread.interrupt();
                    throw new IllegalStateException(thread.getName() + " did not finish within " + STRAGGLER_TIMEOUT);
                }
            }
            double seconds = Math.max(1e-9, (System.nanoTime() - measureFrom) / 1e9);
            int total = Arrays.stream(latencies).mapToInt(l -> l.length).sum();
            long[] all = new long[total];
            int at = 0;
            for (long[] l : latencies) {
                System.arraycopy(l, 0, all, at, l.length);
                at += l.length;
            }
            Arrays.sort(all);
            return new Run(total, Arrays.stream(errors).sum(), seconds, all, firstError.get());
        }
    }
}
