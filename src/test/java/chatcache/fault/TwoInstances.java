package chatcache.fault;

import chatcache.ChatCache;
import chatcache.Config;
import io.javalin.Javalin;

import java.time.Clock;
import java.util.function.Function;
import java.util.concurrent.locks.LockSupport;

/**
 * Two instances of the program over the same servers, each with its relays running and its web
 * app on a free port of 127.0.0.1: a deployment of two, for the tests of what one instance does
 * that the other must see. Opened before each test, closed after it.
 */
final class TwoInstances implements AutoCloseable {
    final ChatCache first;
    final ChatCache second;
    final Javalin firstApp;
    final Javalin secondApp;

    private TwoInstances(ChatCache first, ChatCache second, Javalin firstApp, Javalin secondApp) {
        this.first = first;
        this.second = second;
        this.firstApp = firstApp;
        this.secondApp = secondApp;
    }

    /**
     * Opens both on these settings, each with the (unstarted) web app {@code webApp} makes of it,
     * and waits until the first has a complete cache.
     */
    static TwoInstances open(Config config, Function<ChatCache, Javalin> webApp) {
        ChatCache first = ChatCache.open(config, Clock.systemUTC());
        first.startRelays();
        ChatCache second = ChatCache.open(config, Clock.systemUTC());
        second.startRelays();
        Javalin firstApp = webApp.apply(first).start("127.0.0.1", 0);
        Javalin secondApp = webApp.apply(second).start("127.0.0.1", 0);
        awaitCompleteCache(first);
        return new TwoInstances(first, second, firstApp, secondApp);
    }

    private static void awaitCompleteCache(ChatCache instance) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try {
                if (Boolean.TRUE.equals(instance.health().cacheComplete())) {
                    return;
                }
            } catch (RuntimeException e) {
                // a store still coming up
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for a complete cache");
            }
            LockSupport.parkNanos(20_000_000);
        }
    }

    @Override
    public void close() {
        firstApp.stop();
        secondApp.stop();
        first.close();
        second.close();
    }
}
