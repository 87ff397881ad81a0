package chatcache.web;

import chatcache.events.Subscriber;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.javalin.http.Context;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One open Server-Sent Events response, written without ever blocking a thread on the client.
 *
 * <p><b>Thread model.</b> No thread belongs to a connection. {@link #send} (any thread, typically
 * the events hub's reader) only appends the frame to this connection's bounded queue and, if no
 * one is writing, hands one drain to {@code writers}. A drain writes queued frames with the
 * servlet non-blocking API ({@code isReady()}/{@code write}/{@code flush}) until the queue is
 * empty or the socket is full. When {@code isReady()} answers false the drain simply returns:
 * Jetty calls {@link #onWritePossible} (on one of its threads) once the socket drained, and that
 * call continues. So at any moment at most one thread owns the output stream: the one that won
 * {@link #writing}, or Jetty's callback after an {@code isReady()} of false; the servlet rule
 * that {@code isReady}/{@code write} never run concurrently holds. A client that stops reading
 * costs its queue (bounded by {@link SseSettings}) plus Jetty's output buffer, never a thread;
 * past the bound the connection drops itself ("too slow").
 *
 * <p><b>Keeping the request open.</b> Javalin 7.2.3 completes the async context itself when a
 * handler returns (even if the handler called {@code startAsync()}: JavalinServlet's
 * writeResponseAndLog ends with {@code asyncContext.complete()}). Only {@code ctx.future(...)}
 * defers that: Javalin calls {@code startAsync()}, runs the supplier on the request thread
 * after the handler returned, and finishes the request (after-handlers, request log, complete)
 * on whichever thread completes the future. So {@link #open} passes a future that this class
 * completes when the connection ends. The supplier also sets the async timeout to 0 (the
 * stream has no deadline; the idle timeout and heartbeats govern it) and registers the write
 * listener. Frames go to the raw servlet stream, not {@code ctx.outputStream()}, so Javalin's
 * compression never wraps them (gzip would buffer events).
 *
 * <p><b>Ending.</b> {@link #close} puts one {@code event: closed} frame after the queue, a drop
 * in place of it; the owner writes it, flushes, and completes the response. A client that takes nothing
 * more is cut off by Jetty's idle timeout, shortened to {@link #CLOSE_GRACE_MILLIS} at that
 * point: a failed pending write reaches {@link #onError}. A client that went away is noticed at
 * the next write that fails (the hub's heartbeat), or by the idle timeout failing the request.
 * Callbacks given to {@link #onClose} then run once, on the thread that noticed the end: a
 * writer, a Jetty thread, or the caller of {@link #send} that found the queue full.
 */
public final class SseConnection implements WriteListener, Subscriber {
    /** How long an ending stream waits for the client to take its last frame before the socket is closed. */
    static final long CLOSE_GRACE_MILLIS = 1_000;

    private static final Logger log = LoggerFactory.getLogger(SseConnection.class);

    private static final int OPEN = 0;
    private static final int CLOSING = 1;
    private static final int CLOSED = 2;

    private final SseSettings settings;
    private final Executor writers;
    private final Context ctx;
    private final ServletOutputStream out;
    /** The TCP connection's, taken on the request thread (null if Jetty's request could not be found). */
    private final EndPoint endPoint;
    /** Completing it lets Javalin finish the request: see the class comment. */
    private final CompletableFuture<Void> finished = new CompletableFuture<>();

    private final Queue<byte[]> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queuedFrames = new AtomicInteger();
    private final AtomicLong queuedBytes = new AtomicLong();
    /**
     * True while some thread owns the output stream (a drain runs, or Jetty will call
     * onWritePossible). Starts true: Jetty calls onWritePossible once the listener is set.
     */
    private final AtomicBoolean writing = new AtomicBoolean(true);

    private final Object lock = new Object();
    private volatile int state = OPEN;
    private volatile String reason;
    private volatile byte[] lastFrame;
    private volatile long lastWriteNanos = System.nanoTime();
    // why volatile: only the owner touches these, but ownership moves between threads
    private volatile boolean lastFrameWritten;
    private volatile boolean unflushed;

    private final List<Runnable> closeCallbacks = new ArrayList<>();
    private boolean callbacksRan;

    static final int BUFFER_BYTES = 2_048;

    private SseConnection(Context ctx, SseSettings settings, Executor writers) throws IOException {
        this.ctx = ctx;
        this.settings = settings;
        this.writers = writers;
        // why a small buffer: each frame is flushed at once, so Jetty's aggregation buffer (32 KiB
        // of direct memory by default, held for the response's whole life) buys nothing here;
        // a frame larger than it is written straight through
        ctx.res().setBufferSize(BUFFER_BYTES);
        // why the raw stream: ctx.outputStream() is Javalin's compressing wrapper
        this.out = ctx.res().getOutputStream();
        this.endPoint = endPointOf(ctx);
        byte[] retry = ("retry: " + settings.retryMillis() + "\n\n").getBytes(StandardCharsets.US_ASCII);
        queue.add(retry);
        queuedFrames.set(1);
        queuedBytes.set(retry.length);
    }

    /**
     * After the route checked access: answers 200 {@code text/event-stream} and keeps the request
     * open; {@code retry: <ms>} is the first frame. Must be the last thing the handler does (an
     * exception thrown after it would make Javalin drop the stream's future and answer an error).
     */
    public static SseConnection open(Context ctx, SseSettings settings, Executor writers) {
        SseConnection connection;
        try {
            connection = new SseConnection(ctx, settings, writers);
        } catch (IOException e) {
            throw new IllegalStateException("the response's output stream is not available", e);
        }
        ctx.status(200);
        ctx.res().setContentType("text/event-stream");
        // why no-store, as every other answer: no-cache would still let a cache keep a copy of the
        // events (private chats' text among them) and only revalidate it
        ctx.res().setHeader("Cache-Control", "no-store");
        // why: a proxy such as nginx would otherwise buffer the stream
        ctx.res().setHeader("X-Accel-Buffering", "no");
        // why: the TCP connection ends with the stream. Kept alive, it would fall back to the
        // connector's 30 s idle timeout, and one whose stream ended during a graceful stop held that
        // stop for its whole timeout (seen in SseConnectionIT). EventSource reconnects on a new one.
        ctx.res().setHeader("Connection", "close");
        ctx.future(connection::started);
        return connection;
    }

    /** Javalin's future supplier: runs on the request thread once async has started. */
    private CompletableFuture<Void> started() {
        AsyncContext async = ctx.req().getAsyncContext();
        // why 0: Javalin set its async timeout (default 0 too); a stream has no deadline of its own
        async.setTimeout(0);
        async.addListener(new AsyncListener() {
            @Override
            public void onComplete(AsyncEvent event) {
                finish("client gone");
            }

            @Override
            public void onTimeout(AsyncEvent event) {
                finish("client gone");
            }

            @Override
            public void onError(AsyncEvent event) {
                // why: Jetty's idle timeout fails a request that waits with no write pending
                finish("client gone");
            }

            @Override
            public void onStartAsync(AsyncEvent event) {
            }
        });
        if (!finished.isDone()) {
            out.setWriteListener(this);
        }
        return finished;
    }

    /**
     * Queues one complete SSE frame and returns at once. False when the connection is closed, or
     * when the frame would take the queue over its bound: then the connection drops itself (its
     * queue is discarded, {@code event: closed} "too slow" is written if the socket takes it).
     * Any thread; never blocks. The array must not be changed afterwards (it may be shared).
     */
    @Override
    public boolean send(byte[] frame) {
        if (state != OPEN) {
            return false;
        }
        int frames = queuedFrames.incrementAndGet();
        long bytes = queuedBytes.addAndGet(frame.length);
        if (frames > settings.maxQueuedFrames() || bytes > settings.maxQueuedBytes()) {
            queuedFrames.decrementAndGet();
            queuedBytes.addAndGet(-frame.length);
            end("too slow", "too slow: more than " + settings.maxQueuedFrames() + " frames or "
                    + settings.maxQueuedBytes() + " bytes waiting for the client", true);
            return false;
        }
        queue.add(frame);
        wake();
        return true;
    }

    /**
     * Ends the stream: the frames already queued, then {@code event: closed} {@code {"reason":reason}},
     * then the response completes. Idempotent; any thread; never blocks.
     */
    @Override
    public void close(String reason) {
        end(reason, reason, false);
    }

    /** Runs {@code callback} once when the connection ends, for any reason; at once if it already has. */
    @Override
    public void onClose(Runnable callback) {
        synchronized (closeCallbacks) {
            if (!callbacksRan) {
                closeCallbacks.add(callback);
                return;
            }
        }
        runQuietly(callback);
    }

    /** False once the stream is ending: {@link #send} takes nothing more. */
    @Override
    public boolean isOpen() {
        return state == OPEN;
    }

    /** Nanos since the last frame was handed to the socket (for heartbeats). */
    @Override
    public long idleNanos() {
        return System.nanoTime() - lastWriteNanos;
    }

    /** Why it ended: "client gone", "too slow", or the reason given to {@link #close}; null while open. */
    public String closedReason() {
        return reason;
    }

    /** Frames waiting for the socket (for tests and metrics). */
    public int queuedFrames() {
        return queuedFrames.get();
    }

    @Override
    public void onWritePossible() {
        drain();
    }

    @Override
    public void onError(Throwable failure) {
        finish("client gone");
    }

    private void end(String closedReason, String wireReason, boolean discardQueue) {
        synchronized (lock) {
            if (state != OPEN) {
                return;
            }
            reason = closedReason;
            lastFrame = ("event: closed\ndata: {\"reason\":\""
                    + new String(JsonStringEncoder.getInstance().quoteAsString(wireReason)) + "\"}\n\n")
                    .getBytes(StandardCharsets.UTF_8);
            state = CLOSING;
        }
        if (discardQueue) {
            queue.clear();
        }
        shortenIdleTimeout();
        wake();
    }

    private void wake() {
        if (writing.compareAndSet(false, true)) {
            try {
                writers.execute(this::drain);
            } catch (RejectedExecutionException e) {
                writing.set(false);
                finish("server stopping");
            }
        }
    }

    /** Runs only while owning the stream (see the class comment). */
    private void drain() {
        try {
            while (true) {
                int now = state;
                if (now == CLOSED) {
                    return;
                }
                if (!out.isReady()) {
                    return; // Jetty calls onWritePossible (or onError): ownership passes to that call
                }
                if (now == CLOSING && lastFrameWritten) {
                    finish(null); // why here: the last frame is flushed (isReady() is true again)
                    return;
                }
                byte[] frame = queue.poll();
                if (frame != null) {
                    queuedFrames.decrementAndGet();
                    queuedBytes.addAndGet(-frame.length);
                    out.write(frame);
                    lastWriteNanos = System.nanoTime();
                    unflushed = true;
                    continue;
                }
                if (now == CLOSING) {
                    lastFrameWritten = true;
                    out.write(lastFrame);
                    lastWriteNanos = System.nanoTime();
                    out.flush();
                    continue;
                }
                if (unflushed) {
                    // why: Jetty aggregates small writes; without a flush a frame could wait for more
                    unflushed = false;
                    out.flush();
                    continue;
                }
                writing.set(false);
                // why the second look: a send that came after the poll saw writing=true and left it to us
                if ((queue.isEmpty() && state == OPEN) || !writing.compareAndSet(false, true)) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            finish("client gone");
        }
    }

    /** Ends the connection for good; the first reason given (by close, a drop or here) is the one kept. */
    private void finish(String why) {
        synchronized (lock) {
            if (state == CLOSED) {
                return;
            }
            if (reason == null) {
                reason = why;
            }
            state = CLOSED;
        }
        queue.clear();
        queuedFrames.set(0);
        queuedBytes.set(0);
        // why not inside the lock: Javalin finishes the request on this thread (request log, complete)
        finished.complete(null);
        List<Runnable> callbacks;
        synchronized (closeCallbacks) {
            callbacksRan = true;
            callbacks = List.copyOf(closeCallbacks);
            closeCallbacks.clear();
        }
        callbacks.forEach(SseConnection::runQuietly);
    }

    /** why: a client that takes nothing more must not hold the ending stream (and a graceful stop) for the full idle timeout. */
    private void shortenIdleTimeout() {
        if (endPoint != null && (endPoint.getIdleTimeout() <= 0 || endPoint.getIdleTimeout() > CLOSE_GRACE_MILLIS)) {
            endPoint.setIdleTimeout(CLOSE_GRACE_MILLIS);
        }
    }

    private static EndPoint endPointOf(Context ctx) {
        try {
            return ServletContextRequest.getServletContextRequest(ctx.req()).getConnectionMetaData().getConnection().getEndPoint();
        } catch (RuntimeException e) {
            log.warn("no Jetty connection behind this request: an ending stream waits for the full idle timeout", e);
            return null;
        }
    }

    private static void runQuietly(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            log.warn("an SSE close callback failed", e);
        }
    }
}
