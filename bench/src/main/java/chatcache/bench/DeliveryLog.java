package chatcache.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who must get which post, and when each got it: the bookkeeping of the live-events rows (issue
 * #13). Each subscriber follows one chat; a post into that chat is expected once by every one of
 * them. Send and receive times are {@link System#nanoTime} of this JVM (posters and subscribers
 * run in the same one as the app), so latency = receive − send needs no clock agreement.
 *
 * <p>Thread-safe: posts are recorded by the posters' threads, receipts by the subscribers' reader.
 */
final class DeliveryLog {
    private final long[] chatOf;
    /** Subscribers per chat, to know how many deliveries a post owes. */
    private final Map<Long, List<Integer>> followers = new HashMap<>();
    /** message id → post, for every post the app accepted (201 with an id). */
    private final Map<Long, Post> posts = new ConcurrentHashMap<>();
    /** Per subscriber: message id → first receive time. Written by the reader only; read at {@link #tally}. */
    private final List<Map<Long, Long>> received;
    private final long[] duplicates;

    private record Post(long chatId, long sentNanos) {
    }

    /** @param chatOf the chat each subscriber (by index) follows */
    DeliveryLog(long[] chatOf) {
        this.chatOf = chatOf.clone();
        this.received = new ArrayList<>(chatOf.length);
        this.duplicates = new long[chatOf.length];
        for (int i = 0; i < chatOf.length; i++) {
            received.add(new HashMap<>());
            followers.computeIfAbsent(chatOf[i], c -> new ArrayList<>()).add(i);
        }
    }

    int subscribers() {
        return chatOf.length;
    }

    long chatOf(int subscriber) {
        return chatOf[subscriber];
    }

    /** A post the app answered 201 for, sent at {@code sentNanos} (just before its request was written). */
    void posted(long chatId, long messageId, long sentNanos) {
        posts.put(messageId, new Post(chatId, sentNanos));
    }

    /** Subscriber {@code subscriber} read a {@code message.created} of {@code messageId} at {@code nanos}. */
    void received(int subscriber, long messageId, long nanos) {
        Map<Long, Long> mine = received.get(subscriber);
        synchronized (mine) {
            if (mine.putIfAbsent(messageId, nanos) != null) {
                duplicates[subscriber]++;
            }
        }
    }

    /**
     * Every (post, subscriber of its chat) pair: delivered ones with their latency, missing ones;
     * deliveries twice, and deliveries of ids no recorded post had, or to a subscriber of another chat.
     */
    Tally tally() {
        long[] latencies = new long[64];
        int n = 0;
        long missing = 0;
        String firstMissing = null;
        long unexpected = 0;
        for (Map.Entry<Long, Post> e : posts.entrySet()) {
            long id = e.getKey();
            Post p = e.getValue();
            for (int s : followers.getOrDefault(p.chatId(), List.of())) {
                Long at;
                Map<Long, Long> mine = received.get(s);
                synchronized (mine) {
                    at = mine.get(id);
                }
                if (at == null) {
                    missing++;
                    if (firstMissing == null) {
                        firstMissing = "message " + id + " (chat " + p.chatId() + ") never reached subscriber " + s;
                    }
                    continue;
                }
                if (n == latencies.length) {
                    latencies = Arrays.copyOf(latencies, n * 2);
                }
                latencies[n++] = at - p.sentNanos();
            }
        }
        long dup = 0;
        for (int s = 0; s < chatOf.length; s++) {
            Map<Long, Long> mine = received.get(s);
            synchronized (mine) {
                dup += duplicates[s];
                for (long id : mine.keySet()) {
                    Post p = posts.get(id);
                    if (p == null || p.chatId() != chatOf[s]) {
                        unexpected++;
                    }
                }
            }
        }
        long[] sorted = Arrays.copyOf(latencies, n);
        Arrays.sort(sorted);
        return new Tally(posts.size(), sorted, missing, dup, unexpected, firstMissing);
    }

    /**
     * Deliveries of the recorded posts: {@code latencyNanos} sorted, one per delivered (post,
     * subscriber) pair; {@code missing} pairs never delivered; {@code duplicates}; {@code unexpected}
     * deliveries (no such post, or a post of another chat).
     */
    record Tally(long posts, long[] latencyNanos, long missing, long duplicates, long unexpected, String firstMissing) {
        long delivered() {
            return latencyNanos.length;
        }

        /** Whether every expected delivery happened exactly once and nothing else came. */
        boolean exact() {
            return missing == 0 && duplicates == 0 && unexpected == 0;
        }

        double p50Millis() {
            return BenchResult.Row.percentile(latencyNanos, 0.50);
        }

        double p99Millis() {
            return BenchResult.Row.percentile(latencyNanos, 0.99);
        }

        double maxMillis() {
            return latencyNanos.length == 0 ? Double.NaN : latencyNanos[latencyNanos.length - 1] / 1e6;
        }
    }
}
