package chatcache.web;

import chatcache.background.DaemonThreads;
import chatcache.chat.ChatService;
import chatcache.events.EventHub;
import chatcache.events.EventLog;
import chatcache.events.EventSettings;
import chatcache.metrics.ServiceMetrics;
import com.fasterxml.jackson.core.JsonFactory;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One app's event streams: the hub (reader and sweeper threads) and the writers that drain the
 * connections, made with the app and ended when its server stops.
 */
final class LiveEvents {
    /** why two: a writer only copies queued frames into sockets that are ready; it never waits on a client. */
    private static final int WRITERS = 2;

    private final EventHub hub;
    private final ExecutorService writers;
    private final EventHandlers handlers;

    private LiveEvents(EventHub hub, ExecutorService writers, EventHandlers handlers) {
        this.hub = hub;
        this.writers = writers;
        this.handlers = handlers;
    }

    /** Streams over this log; with none, the route answers 503. */
    static LiveEvents start(EventLog log, EventSettings settings, JsonFactory json, ChatService chats, CallerResolver callers,
                            io.micrometer.core.instrument.MeterRegistry registry) {
        if (log == null) {
            return new LiveEvents(null, null, new EventHandlers(null, chats, callers, null, null));
        }
        ExecutorService writers = Executors.newFixedThreadPool(WRITERS, DaemonThreads.named("events-writer", true));
        EventFrames frames = new EventFrames(json);
        EventHub hub = new EventHub(log, frames, settings);
        ServiceMetrics.eventStreams(registry, hub);
        SseSettings sse = new SseSettings(settings.maxQueuedFrames(), settings.maxQueuedBytes(), 2_000);
        return new LiveEvents(hub, writers, new EventHandlers(hub, chats, callers, sse, writers));
    }

    EventHandlers handlers() {
        return handlers;
    }

    void close(String reason) {
        if (hub != null) {
            hub.close(reason);
            writers.shutdown();
        }
    }
}
