package chatcache.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Many {@code GET /chat/{id}/events} streams to the app on 127.0.0.1, all read by one thread with
 * one NIO selector. why not a thread (or the JDK HttpClient) per stream: the bench's JVM is the
 * server too, on two cores; a thousand reader threads, or the HttpClient's per-exchange hand-offs,
 * would be measured as the app's cost, and its heap as the app's memory per connection.
 *
 * <p>Understands what the app sends on a stream: a status line, headers, a chunked (or
 * unframed) body of Server-Sent Events lines. Of the frames it keeps only what the bench needs:
 * the {@code retry:} line (the stream is open and its subscriber joined: the app joins the hub
 * before it writes anything), the id of each {@code message.created} (from its {@code data:},
 * which starts with the message's {@code "id"}), and a count of every other event
 * ({@code closed}, {@code reset}, {@code paused}: none is expected). A stream's receive time is
 * taken once per socket read, when its bytes reached the client.
 */
final class SseSubscribers implements AutoCloseable {
    private static final byte[] CREATED = "event: message.created".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA_ID = "data: {\"id\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RETRY = "retry:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);

    /** One subscriber: the chat it follows and the token it opens the stream with. */
    record Target(long chatId, String token) {
    }

    private final InetSocketAddress address;
    private final DeliveryLog log;
    private final Selector selector;
    private final Thread thread;
    private final Queue<Stream> toOpen = new ConcurrentLinkedQueue<>();
    private final List<Stream> streams = new ArrayList<>();
    /** why direct and one: every stream is read into it in turn on the one thread; nothing per stream. */
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
    private volatile boolean running = true;

    private final AtomicLong ready = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong ended = new AtomicLong();
    private final AtomicLong otherEvents = new AtomicLong();
    private final AtomicLong pings = new AtomicLong();
    private final AtomicReference<String> firstProblem = new AtomicReference<>();

    SseSubscribers(InetSocketAddress address, DeliveryLog log) throws IOException {
        if (!address.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("the bench only talks to the loopback address, not " + address);
        }
        this.address = address;
        this.log = log;
        this.selector = Selector.open();
        this.thread = new Thread(this::loop, "bench-sse-subscribers");
        thread.setDaemon(true);
        thread.start();
    }

    /** Opens the stream of subscriber {@code index} (of the {@link DeliveryLog}) with this token. */
    void open(int index, String token) {
        long chatId = log.chatOf(index);
        String request = "GET /chat/" + chatId + "/events HTTP/1.1\r\n"
                + "Host: " + address.getHostString() + ":" + address.getPort() + "\r\n"
                + "Authorization: Bearer " + token + "\r\n"
                + "Accept: text/event-stream\r\n"
                + "\r\n";
        toOpen.add(new Stream(index, ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII))));
        selector.wakeup();
    }

    /** Streams answered 200 whose {@code retry:} line arrived. */
    long ready() {
        return ready.get();
    }

    /** Streams that could not be opened or were not answered 200. */
    long failed() {
        return failed.get();
    }

    /** Streams that ended (the server closed them, or the connection broke) after they were ready. */
    long ended() {
        return ended.get();
    }

    /** Events other than message.created (closed, reset, paused, resumed, ...). */
    long otherEvents() {
        return otherEvents.get();
    }

    long pings() {
        return pings.get();
    }

    String firstProblem() {
        return firstProblem.get();
    }

    private void problem(Stream s, String what) {
        firstProblem.compareAndSet(null, "subscriber " + s.index + " (chat " + log.chatOf(s.index) + "): " + what);
    }

    private void loop() {
        try {
            while (running) {
                for (Stream s; (s = toOpen.poll()) != null; ) {
                    start(s);
                }
                selector.select(100);
                long now = System.nanoTime();
                for (SelectionKey key : selector.selectedKeys()) {
                    Stream s = (Stream) key.attachment();
                    try {
                        if (key.isConnectable() && s.channel.finishConnect()) {
                            key.interestOps(SelectionKey.OP_WRITE);
                        }
                        if (key.isValid() && key.isWritable()) {
                            s.channel.write(s.request);
                            if (!s.request.hasRemaining()) {
                                s.request = null;
                                key.interestOps(SelectionKey.OP_READ);
                            }
                        }
                        if (key.isValid() && key.isReadable()) {
                            read(s, key, now);
                        }
                    } catch (IOException e) {
                        end(s, key, e.toString());
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | RuntimeException e) {
            firstProblem.compareAndSet(null, "the subscribers' reader failed: " + e);
        }
    }

    private void start(Stream s) {
        try {
            SocketChannel ch = SocketChannel.open();
            ch.configureBlocking(false);
            ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            s.channel = ch;
            boolean connected = ch.connect(address);
            ch.register(selector, connected ? SelectionKey.OP_WRITE : SelectionKey.OP_CONNECT, s);
            streams.add(s);
        } catch (IOException e) {
            failed.incrementAndGet();
            problem(s, "cannot connect: " + e);
        }
    }

    private void read(Stream s, SelectionKey key, long now) throws IOException {
        buffer.clear();
        int n = s.channel.read(buffer);
        if (n < 0) {
            end(s, key, "the server closed the stream");
            return;
        }
        buffer.flip();
        while (buffer.hasRemaining() && key.isValid()) {
            s.take(buffer.get(), now, key);
        }
    }

    private void end(Stream s, SelectionKey key, String why) {
        key.cancel();
        try {
            s.channel.close();
        } catch (IOException e) {
            // a connection we are done with: nothing to do
        }
        if (s.ready) {
            ended.incrementAndGet();
        } else {
            failed.incrementAndGet();
        }
        problem(s, why);
    }

    /** Closes every stream and the reader. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        selector.wakeup();
        thread.join(5_000);
        for (Stream s : streams) {
            try {
                s.channel.close();
            } catch (IOException e) {
                // closing: nothing to do
            }
        }
        try {
            selector.close();
        } catch (IOException e) {
            // closing: nothing to do
        }
    }

    private enum Phase { HEAD, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, BODY }

    /** One stream's parse state: the header, the chunk framing, the current line. */
    private final class Stream {
        final int index;
        /** The GET, until written (then dropped: a stream keeps only its parse state). */
        ByteBuffer request;
        SocketChannel channel;
        Phase phase = Phase.HEAD;
        boolean statusSeen;
        boolean chunked;
        int status;
        long chunkLeft;
        boolean sizeDone;
        byte[] line = new byte[64];
        int length;
        boolean created;
        boolean ready;

        Stream(int index, ByteBuffer request) {
            this.index = index;
            this.request = request;
        }

        void take(byte b, long now, SelectionKey key) {
            switch (phase) {
                case HEAD -> {
                    if (b == '\n') {
                        header(key);
                    } else if (b != '\r') {
                        append(b);
                    }
                }
                case CHUNK_SIZE -> {
                    if (b == '\n') {
                        sizeDone = false;
                        if (chunkLeft == 0) {
                            end(this, key, "the server ended the stream (last chunk)");
                        } else {
                            phase = Phase.CHUNK_DATA;
                        }
                    } else if (!sizeDone && Character.digit(b, 16) >= 0) {
                        chunkLeft = chunkLeft * 16 + Character.digit(b, 16);
                    } else {
                        sizeDone = true; // '\r', or a chunk extension after ';'
                    }
                }
                case CHUNK_DATA -> {
                    body(b, now);
                    if (--chunkLeft == 0) {
                        phase = Phase.CHUNK_END;
                    }
                }
                case CHUNK_END -> {
                    if (b == '\n') {
                        phase = Phase.CHUNK_SIZE;
                    }
                }
                case BODY -> body(b, now);
            }
        }

        private void header(SelectionKey key) {
            String text = new String(line, 0, length, StandardCharsets.US_ASCII);
            length = 0;
            if (!statusSeen) {
                statusSeen = true;
                status = text.startsWith("HTTP/1.") && text.length() >= 12 ? Integer.parseInt(text.substring(9, 12)) : -1;
                return;
            }
            if (!text.isEmpty()) {
                String lower = text.toLowerCase(Locale.ROOT);
                if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                }
                return;
            }
            if (status != 200) {
                end(this, key, "HTTP " + status + " instead of 200");
                return;
            }
            phase = chunked ? Phase.CHUNK_SIZE : Phase.BODY;
        }

        private void body(byte b, long now) {
            if (b == '\n') {
                line(now);
                length = 0;
            } else if (b != '\r') {
                append(b);
            }
        }

        private void append(byte b) {
            if (length == line.length) {
                line = java.util.Arrays.copyOf(line, length * 2);
            }
            line[length++] = b;
        }

        private void line(long now) {
            if (length == 0) {
                created = false; // a frame ends
            } else if (startsWith(RETRY)) {
                if (!ready) {
                    ready = true;
                    SseSubscribers.this.ready.incrementAndGet();
                }
            } else if (line[0] == ':') {
                pings.incrementAndGet();
            } else if (length == CREATED.length && startsWith(CREATED)) {
                created = true;
            } else if (startsWith(EVENT)) {
                otherEvents.incrementAndGet();
                problem(this, new String(line, 0, length, StandardCharsets.UTF_8));
            } else if (created && startsWith(DATA_ID)) {
                long id = 0;
                for (int i = DATA_ID.length; i < length && line[i] >= '0' && line[i] <= '9'; i++) {
                    id = id * 10 + (line[i] - '0');
                }
                log.received(index, id, now);
            }
            if (line.length > 1024) {
                line = new byte[64]; // why: one long message must not keep a large buffer per stream
            }
        }

        private boolean startsWith(byte[] prefix) {
            if (length < prefix.length) {
                return false;
            }
            for (int i = 0; i < prefix.length; i++) {
                if (line[i] != prefix[i]) {
                    return false;
                }
            }
            return true;
        }
    }
}
