package chatcache.web;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.EagerContentHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.Scheduler;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request's whole body, read without a thread before the request is handed to the (blocking)
 * routes: Jetty's {@link EagerContentHandler} with a loader of ours.
 *
 * <p>why: a client that sends its body slowly held one of Jetty's threads for up to the body
 * deadline; 300 such connections took all 250 of them and other clients waited seconds. Read
 * here, a body arrives on Jetty's selector through {@code demand} callbacks and costs its bytes,
 * not a thread; the route runs once it is complete (on the thread that read its last bytes, or,
 * when the whole body came with the headers, at once). Virtual threads did the same job but cost
 * the API 9 % of its read and a third of its write throughput (BENCHMARKS.md, run L).
 *
 * <p>The body's bounds ({@link HttpLimits}) are kept while it arrives: more than
 * {@code maxBodyBytes} is 413 at once; a body not complete within {@code bodyDeadlineMillis}, or
 * slower on average than {@code minBodyBytesPerSecond} once it has taken
 * {@link RequestBody#RATE_GRACE_MILLIS}, is 408 (answered by the server's JSON error handler).
 * The bytes are copied as they come, so a body holds at most {@code maxBodyBytes} of memory, never
 * Jetty's network buffers. A body Jetty itself finds malformed or cut short is handed on with what
 * came before the failure, and {@link RequestBody} answers it as before. A body declared larger than
 * the limit is not loaded: {@link RequestBody} refuses its {@code Content-Length} at once.
 */
final class WholeBodies implements EagerContentHandler.ContentLoaderFactory {
    /** How often a body's pace is checked while it arrives. */
    private static final long CHECK_MILLIS = 250;

    private final HttpLimits limits;

    private WholeBodies(HttpLimits limits) {
        this.limits = limits;
    }

    /** The handler to put in front of the routes. */
    static EagerContentHandler handler(HttpLimits limits) {
        return new EagerContentHandler(new WholeBodies(limits));
    }

    @Override
    public String getApplicableMimeType() {
        return null; // every body, whatever its type
    }

    @Override
    public EagerContentHandler.ContentLoader newContentLoader(String contentType, String mimeType, Handler handler,
                                                              Request request, Response response, Callback callback) {
        long declared = request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
        if (declared > limits.maxBodyBytes()) {
            return null; // refused by its header, before any byte is read (RequestBody)
        }
        return new Loader(handler, request, response, callback, limits);
    }

    /** Reads one request's body into memory, then hands the request on with that body. */
    private static final class Loader extends EagerContentHandler.ContentLoader implements Invocable.Task {
        private final HttpLimits limits;
        private final long start = System.nanoTime();
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        /** Set once: the body is handed on, or the request refused. */
        private final AtomicBoolean settled = new AtomicBoolean();
        private final Object reading = new Object();

        Loader(Handler handler, Request request, Response response, Callback callback, HttpLimits limits) {
            super(handler, request, response, callback);
            this.limits = limits;
        }

        @Override
        protected void load() {
            if (!read(false)) {
                scheduleCheck();
            }
        }

        /** More bytes can be read: Jetty calls this on its selector, so it must not block. */
        @Override
        public void run() {
            read(true);
        }

        @Override
        public InvocationType getInvocationType() {
            return InvocationType.NON_BLOCKING;
        }

        /** Reads what has arrived; true once the body is handed on or refused. */
        private boolean read(boolean fromCallback) {
            synchronized (reading) {
                while (!settled.get()) {
                    Content.Chunk chunk = getRequest().read();
                    if (chunk == null) {
                        getRequest().demand(this);
                        return false;
                    }
                    if (Content.Chunk.isFailure(chunk)) {
                        handOn(chunk, fromCallback);
                        return true;
                    }
                    int n = chunk.remaining();
                    if (body.size() + n > limits.maxBodyBytes()) {
                        chunk.release();
                        refuse(HttpStatus.PAYLOAD_TOO_LARGE_413);
                        return true;
                    }
                    ByteBuffer bytes = chunk.getByteBuffer();
                    byte[] copy = new byte[n];
                    bytes.get(copy);
                    body.write(copy, 0, n);
                    boolean last = chunk.isLast();
                    chunk.release();
                    if (last) {
                        handOn(Content.Chunk.EOF, fromCallback);
                        return true;
                    }
                }
                return true;
            }
        }

        /** Checks the body's pace every {@link #CHECK_MILLIS} until it is settled. */
        private void scheduleCheck() {
            Scheduler scheduler = getRequest().getComponents().getScheduler();
            scheduler.schedule(() -> {
                if (settled.get()) {
                    return;
                }
                long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                int received;
                synchronized (reading) {
                    received = body.size();
                }
                if (elapsed > limits.bodyDeadlineMillis() || (elapsed > RequestBody.RATE_GRACE_MILLIS
                        && received * 1000L < limits.minBodyBytesPerSecond() * elapsed)) {
                    refuse(HttpStatus.REQUEST_TIMEOUT_408);
                } else {
                    scheduleCheck();
                }
            }, CHECK_MILLIS, TimeUnit.MILLISECONDS);
        }

        private void refuse(int status) {
            if (settled.compareAndSet(false, true)) {
                // why close: the rest of the body may still be on its way, and it belongs to no request
                getResponse().getHeaders().put(HttpHeader.CONNECTION, "close");
                Response.writeError(getRequest(), getResponse(), getCallback(), status);
            }
        }

        /**
         * The request with the body read so far, then {@code end} (the end of the body, or the
         * failure Jetty reported), to the routes. From a demand callback (Jetty's selector) the
         * routes run on a thread of the pool, since they block.
         */
        private void handOn(Content.Chunk end, boolean fromCallback) {
            if (!settled.compareAndSet(false, true)) {
                return;
            }
            Deque<Content.Chunk> chunks = new ArrayDeque<>();
            chunks.add(Content.Chunk.from(ByteBuffer.wrap(body.toByteArray()), end == Content.Chunk.EOF));
            if (end != Content.Chunk.EOF) {
                chunks.add(end);
            }
            Request loaded = new Loaded(getRequest(), chunks);
            if (fromCallback) {
                getRequest().getContext().execute(() -> handle(loaded, getResponse(), getCallback()));
            } else {
                handle(loaded, getResponse(), getCallback());
            }
        }
    }

    /** A request whose body is what was read ahead, chunk by chunk, and then its end. */
    private static final class Loaded extends Request.Wrapper {
        private final Deque<Content.Chunk> chunks;

        Loaded(Request wrapped, Deque<Content.Chunk> chunks) {
            super(wrapped);
            this.chunks = chunks;
        }

        @Override
        public Content.Chunk read() {
            synchronized (chunks) {
                if (chunks.isEmpty()) {
                    return Content.Chunk.EOF;
                }
                Content.Chunk next = chunks.removeFirst();
                // a failure stays: every later read sees it, as from Jetty
                if (Content.Chunk.isFailure(next)) {
                    chunks.addFirst(next);
                }
                return next;
            }
        }

        @Override
        public void demand(Runnable demandCallback) {
            demandCallback.run(); // everything is here already
        }
    }
}
