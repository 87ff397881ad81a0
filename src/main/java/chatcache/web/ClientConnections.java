package chatcache.web;

import chatcache.background.DaemonThreads;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.component.LifeCycle;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What one client address may hold open, and how long a request's head may take to arrive.
 *
 * <p>why here, below the routes: a connection that holds a server's resources without ever
 * finishing a request (headers trickled one byte at a time, or many connections kept idle) never
 * reaches a route, a rate limit or a log line. So each connection is counted by its client's
 * address as it opens, refused (429, closed) past {@link HttpLimits#maxConnectionsPerAddress}, and
 * closed (408) when the head of a request (request line and headers) is still arriving
 * {@link HttpLimits#headerDeadlineMillis} after its first byte. IPv6 addresses count by their /64,
 * which is what one client usually holds. Jetty's idle timeout does neither: every byte resets it.
 *
 * <p>The head's progress is read from Jetty's HTTP/1.1 connection and parser (its {@code internal}
 * package: Jetty has no public hook for a head deadline); a Jetty that changes them fails to compile
 * here, and HttpClientLimitsIT checks the behaviour.
 */
final class ClientConnections implements Connection.Listener {
    private static final byte[] TOO_MANY = raw(429, "Too Many Requests",
            "too many connections from your address: close some and try again", "Retry-After: 1\r\n");
    private static final byte[] TOO_SLOW = raw(408, "Request Timeout",
            "the request's headers did not arrive in time", "");

    private final int maxPerAddress;
    private final long headerDeadlineNanos;
    /** Each open connection, with the address it counts against and what the sweeper saw of it. */
    private final Map<Connection, Open> open = new ConcurrentHashMap<>();
    private final Map<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
    private final Counter refused;
    private final Counter timedOut;
    private final ScheduledExecutorService sweeper =
            Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("http-head-deadline", false));

    private static final class Open {
        final InetAddress address;
        /** The connection's request count and when the sweeper first saw it receiving a head, or -1. */
        long requests;
        long bytesIn;
        long headSince = -1;

        Open(InetAddress address) {
            this.address = address;
        }
    }

    /** Counts its refusals and timeouts in this registry (one counter each, shared by every server of the registry). */
    ClientConnections(HttpLimits limits, MeterRegistry registry) {
        this.refused = Counter.builder("chatcache.http.connections.refused")
                .description("connections refused because their address held as many as it may")
                .register(registry);
        this.timedOut = Counter.builder("chatcache.http.head.timeouts")
                .description("connections closed because a request's headers did not arrive in time")
                .register(registry);
        this.maxPerAddress = limits.maxConnectionsPerAddress();
        this.headerDeadlineNanos = TimeUnit.MILLISECONDS.toNanos(limits.headerDeadlineMillis());
        long every = Math.max(50, Math.min(1_000, limits.headerDeadlineMillis() / 4));
        sweeper.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
    }

    /** Counts every connection of this server's connectors, from its start until it stops. */
    void install(Server server) {
        server.addEventListener(new LifeCycle.Listener() {
            @Override
            public void lifeCycleStarting(LifeCycle event) {
                for (Connector connector : server.getConnectors()) {
                    connector.addEventListener(ClientConnections.this);
                }
            }

            @Override
            public void lifeCycleStopped(LifeCycle event) {
                sweeper.shutdownNow();
            }
        });
    }

    @Override
    public void onOpened(Connection connection) {
        InetAddress address = clientOf(connection.getEndPoint().getRemoteSocketAddress());
        open.put(connection, new Open(address));
        if (address != null && perAddress.merge(address, 1, Integer::sum) > maxPerAddress) {
            refused.increment();
            answerAndClose(connection.getEndPoint(), TOO_MANY);
        }
    }

    @Override
    public void onClosed(Connection connection) {
        Open o = open.remove(connection);
        if (o != null && o.address != null) {
            perAddress.computeIfPresent(o.address, (a, n) -> n <= 1 ? null : n - 1);
        }
    }

    /**
     * A connection is receiving a head while its parser is before the content of a request and
     * bytes arrive (a trickle of blank lines before a request counts too). The deadline runs
     * from when that was first seen and restarts with each new request the connection begins.
     */
    private void sweep() {
        long now = System.nanoTime();
        for (Map.Entry<Connection, Open> e : open.entrySet()) {
            if (!(e.getKey() instanceof HttpConnection http)) {
                continue;
            }
            Open o = e.getValue();
            HttpParser parser = http.getParser();
            HttpParser.State state = parser.getState();
            long requests = http.getMessagesIn();
            long bytesIn = http.getBytesIn();
            boolean beforeContent = parser.inHeaderState();
            boolean receivingHead = beforeContent && (state != HttpParser.State.START || bytesIn != o.bytesIn);
            if (!beforeContent || requests != o.requests) {
                o.headSince = receivingHead ? now : -1;
            } else if (receivingHead && o.headSince < 0) {
                o.headSince = now;
            }
            o.requests = requests;
            o.bytesIn = bytesIn;
            if (o.headSince >= 0 && now - o.headSince > headerDeadlineNanos) {
                o.headSince = -1;
                timedOut.increment();
                answerAndClose(http.getEndPoint(), TOO_SLOW);
            }
        }
    }

    /** why an answer and not a bare close: a client (or its operator) learns why, in the API's own words. */
    private static void answerAndClose(EndPoint endPoint, byte[] answer) {
        endPoint.write(Callback.from(endPoint::close, failure -> endPoint.close()), ByteBuffer.wrap(answer));
    }

    private static InetAddress clientOf(SocketAddress remote) {
        return remote instanceof InetSocketAddress inet && inet.getAddress() != null ? group(inet.getAddress()) : null;
    }

    private static InetAddress group(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address;
        }
        byte[] prefix = Arrays.copyOf(address.getAddress(), 16);
        Arrays.fill(prefix, 8, 16, (byte) 0);
        try {
            return InetAddress.getByAddress(prefix);
        } catch (UnknownHostException impossible) {
            return address;
        }
    }

    private static byte[] raw(int status, String reason, String error, String extraHeaders) {
        String body = "{\"error\":\"" + error + "\"}";
        return ("HTTP/1.1 " + status + " " + reason + "\r\n"
                + "Content-Type: application/json\r\n"
                + "X-Content-Type-Options: nosniff\r\n"
                + "Cache-Control: no-store\r\n"
                + extraHeaders
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n"
                + "Connection: close\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8);
    }
}
