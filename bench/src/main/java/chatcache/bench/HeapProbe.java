package chatcache.bench;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * This JVM's memory after a full collection, for the memory per event stream (issue #13): the
 * heap in use (MemoryMXBean) and the JDK's "direct" buffer pool (BufferPoolMXBean: every direct
 * ByteBuffer, Jetty's pooled ones included, whether in use or kept in its pool).
 */
final class HeapProbe {
    /** Collections per sample; the smallest heap of them counts (one collection can leave some garbage). */
    static final int TRIES = 3;

    private HeapProbe() {
    }

    /** Heap bytes in use after GC (the least of {@link #TRIES}), and the direct buffers at that moment. */
    record Sample(long heapBytes, long directBytes, long directBuffers) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "heap after GC %,d B, direct buffers %,d B in %,d", heapBytes, directBytes,
                    directBuffers);
        }
    }

    static Sample sample() throws InterruptedException {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < TRIES; i++) {
            System.gc();
            Thread.sleep(100);
            least = Math.min(least, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        long directBytes = -1;
        long directCount = -1;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                directBytes = pool.getMemoryUsed();
                directCount = pool.getCount();
            }
        }
        return new Sample(least, directBytes, directCount);
    }
}
