package chatcache.events;

import chatcache.core.EventId;
import chatcache.background.DaemonThreads;
import chatcache.background.Repeater;
import chatcache.core.BackendUnavailableException;
import chatcache.logging.ExceptionText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Delivers the chats' events to the clients following them on this instance.
 *
 * <p>Threads: one <b>reader</b> reads, with one blocking
 * {@code XREAD}, the streams of every chat someone here follows, from the position up to which
 * it has delivered each, and hands each event, rendered once, to every subscriber of its chat;
 * handing over only queues it (the HTTP side writes without blocking: web.SseConnection), so a
 * slow client never holds the reader. One <b>sweeper</b> sends heartbeats to quiet streams and
 * asks again, every {@link EventSettings#accessCheckMillis}, whether each caller may still read.
 * A joining client is caught up on its request's thread. No thread is held per connection.
 *
 * <p>Across instances nothing else is needed: an event is in Redis the moment its change is, and
 * every instance's reader follows the streams its own clients need.
 *
 * <p>Redis unavailable: the reader tells every client {@code paused} once, keeps trying, and
 * goes on from where it stopped with {@code resumed} (Redis kept its data) or sends {@code reset}
 * (the epoch changed: Redis lost its data and the cache was rebuilt). Heartbeats go on meanwhile.
 */
public final class EventHub implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventHub.class);
    /** How long one XREAD waits; also how soon a newly followed chat is read (its first events are replayed by its client). */
    static final long BLOCK_MILLIS = 250;
    private static final int READ_COUNT = 500;
    private static final int REPLAY_PAGE = 500;
    /**
     * How long a chat counts as followed after this instance last said so (EventLog#follow), and
     * how often the reader says it again for every chat followed here: an instance that dies stops
     * counting within a minute.
     */
    static final long FOLLOW_MILLIS = 60_000;
    private static final long FOLLOW_RENEW_MILLIS = 20_000;

    private final EventLog events;
    private final Frames frames;
    private final EventSettings settings;
    /** Chats followed here; membership changes under this map's lock, delivery under each topic's. */
    private final Map<Long, Topic> topics = new HashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final Map<String, Integer> openByCaller = new ConcurrentHashMap<>();
    private final Repeater reader;
    private final ScheduledExecutorService sweeper;
    private final Object wake = new Object();
    private volatile String epoch;
    private volatile String pausedFor;
    /** When the reader last renewed the following of every chat followed here (reader thread only). */
    private long followRenewedAt;
    private volatile boolean closed;

    /** The chats' streams this instance follows, each with the position up to which it has delivered. */
    private static final class Topic {
        final long chatId;
        EventId cursor;
        final List<Subscription> subscriptions = new ArrayList<>();

        Topic(long chatId) {
            this.chatId = chatId;
        }
    }

    public EventHub(EventLog events, Frames frames, EventSettings settings) {
        this.events = events;
        this.frames = frames;
        this.settings = settings;
        this.reader = new Repeater("events-reader", this::readOnce, 0);
        this.sweeper = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("events-sweeper", false));
        reader.start();
        long every = Math.min(settings.accessCheckMillis(), settings.heartbeatMillis());
        sweeper.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * A place kept for one stream: counts against the limits until the stream ends (or {@link #release}).
     * Given back once only, however many paths end the stream.
     */
    public static final class Admission {
        private final String callerKey;
        private final String epoch;
        private final AtomicBoolean released = new AtomicBoolean();

        private Admission(String callerKey, String epoch) {
            this.callerKey = callerKey;
            this.epoch = epoch;
        }

        public String callerKey() {
            return callerKey;
        }

        public String epoch() {
            return epoch;
        }
    }

    /**
     * Keeps a place for a stream of this caller, before its answer starts: refused when the caller
     * or the instance has as many as it may, unavailable while Redis cannot serve events. A refusal
     * changes no count: only a place that was taken is given back.
     */
    public Admission admit(String callerKey) {
        if (closed) {
            throw new BackendUnavailableException("the server is stopping", null);
        }
        if (!takeCallerPlace(callerKey)) {
            throw new StreamRefusedException(true, "at most " + settings.maxPerCaller() + " event streams per caller are open at once");
        }
        if (!takeInstancePlace()) {
            giveBackCallerPlace(callerKey);
            throw new StreamRefusedException(false, "this server has as many event streams open as it may; try again shortly");
        }
        Optional<String> now;
        try {
            now = events.epoch();
        } catch (RuntimeException e) {
            release(new Admission(callerKey, null));
            throw e;
        }
        if (now.isEmpty()) {
            release(new Admission(callerKey, null));
            throw new BackendUnavailableException("events resume once the cache is rebuilt", null);
        }
        return new Admission(callerKey, now.get());
    }

    /** Gives back a place (its stream ended, or never started); a second call for the same place does nothing. */
    public void release(Admission admission) {
        if (admission.released.compareAndSet(false, true)) {
            open.decrementAndGet();
            giveBackCallerPlace(admission.callerKey);
        }
    }

    /** why compare-and-set, never increment-then-undo: a refused request must not move the count, even for a moment. */
    private boolean takeInstancePlace() {
        while (true) {
            int now = open.get();
            if (now >= settings.maxConnections()) {
                return false;
            }
            if (open.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** why inside compute: the entry is created, counted and removed under the map's lock for that key. */
    private boolean takeCallerPlace(String callerKey) {
        boolean[] taken = {false};
        openByCaller.compute(callerKey, (k, n) -> {
            int count = n == null ? 0 : n;
            if (count >= settings.maxPerCaller()) {
                return n;
            }
            taken[0] = true;
            return count + 1;
        });
        return taken[0];
    }

    private void giveBackCallerPlace(String callerKey) {
        openByCaller.computeIfPresent(callerKey, (k, n) -> n <= 1 ? null : n - 1);
    }

    /**
     * Starts delivering a chat's events to an admitted client: from after {@code from} when every
     * event since is still kept (at most {@link EventSettings#maxReplay} of them), else with one
     * {@code reset}; without {@code from}, from now on. Runs on the request's thread.
     */
    public void join(Admission admission, long chatId, Optional<EventId> from, Subscriber subscriber, AccessCheck access) {
        String epochNow = admission.epoch();
        Subscription subscription;
        EventId cursor;
        boolean newTopic;
        String resetReason = null;
        try {
            // why first: a chat's eviction or load from now on keeps its reset for this client,
            // and one before this is seen by the checks below (the stream's last id)
            events.follow(List.of(chatId), FOLLOW_MILLIS);
            boolean continues = from.isPresent() && from.get().epoch().equals(epochNow) && events.continuesFrom(from.get(), chatId);
            if (from.isPresent() && !continues) {
                resetReason = from.get().epoch().equals(epochNow)
                        ? "the events after your id are no longer kept: fetch the page again"
                        : "the cache was rebuilt since your id: fetch the page again";
            }
            synchronized (topics) {
                Topic topic = topics.get(chatId);
                newTopic = topic == null;
                if (newTopic) {
                    topic = new Topic(chatId);
                    topics.put(chatId, topic);
                }
                synchronized (topic) {
                    // why also for a topic of an older epoch: the reader has not seen the change
                    // yet; it will reset the topic's older followers, not this one
                    if (topic.cursor == null || !topic.cursor.epoch().equals(epochNow)) {
                        topic.cursor = events.tail(epochNow, chatId);
                    }
                    cursor = topic.cursor;
                    subscription = new Subscription(chatId, admission.callerKey(), subscriber, access,
                            continues ? from.get() : cursor, settings.maxQueuedFrames());
                    topic.subscriptions.add(subscription);
                }
            }
        } catch (BackendUnavailableException e) {
            release(admission);
            subscriber.close("redis unavailable");
            return;
        }
        subscriber.onClose(() -> leave(subscription, admission));
        if (newTopic) {
            synchronized (wake) {
                wake.notifyAll();
            }
        }
        try {
            if (resetReason != null) {
                // why the stream's tail when it is further on: the reader may not have handed the
                // topic its newest events yet, and the page the client fetches after the reset
                // holds them already; sent again live they would come twice
                EventId tail = events.tail(epochNow, chatId);
                EventId resetAt = tail.compareTo(cursor) > 0 ? tail : cursor;
                subscription.reset(resetAt, frames.reset(resetAt, resetReason));
            } else if (from.isPresent()) {
                replay(subscription, from.get(), cursor);
            }
            subscription.replayDone();
        } catch (BackendUnavailableException e) {
            subscriber.close("redis unavailable");
        }
    }

    /** Sends the events after {@code from} up to {@code cursor} (the reader sends the rest), or a reset if there are too many. */
    private void replay(Subscription subscription, EventId from, EventId cursor) {
        List<ChatEvent> missed = new ArrayList<>();
        EventId at = from;
        while (at.compareTo(cursor) < 0 && missed.size() <= settings.maxReplay()) {
            List<ChatEvent> page = events.after(at, subscription.chatId, REPLAY_PAGE);
            for (ChatEvent e : page) {
                if (e.id().compareTo(cursor) <= 0) {
                    missed.add(e);
                }
            }
            if (page.size() < REPLAY_PAGE) {
                break;
            }
            at = page.get(page.size() - 1).id();
        }
        if (missed.size() > settings.maxReplay()) {
            subscription.reset(cursor, frames.reset(cursor, "more than " + settings.maxReplay()
                    + " events happened since your id: fetch the page again"));
            return;
        }
        for (ChatEvent e : missed) {
            subscription.replayed(e.id(), frames.event(e));
        }
    }

    private void leave(Subscription subscription, Admission admission) {
        synchronized (topics) {
            Topic topic = topics.get(subscription.chatId);
            if (topic != null) {
                synchronized (topic) {
                    topic.subscriptions.remove(subscription);
                    if (topic.subscriptions.isEmpty()) {
                        topics.remove(subscription.chatId);
                    }
                }
            }
        }
        release(admission);
    }

    /** One round of the reader: waits for new events of the followed chats and delivers them. */
    private void readOnce() {
        Map<Long, EventId> positions = new HashMap<>();
        synchronized (topics) {
            for (Topic t : topics.values()) {
                synchronized (t) {
                    positions.put(t.chatId, t.cursor);
                }
            }
        }
        if (positions.isEmpty() && pausedFor == null) {
            idle();
            return;
        }
        EventLog.Batch batch;
        try {
            long now = System.currentTimeMillis();
            if (now - followRenewedAt >= FOLLOW_RENEW_MILLIS) {
                events.follow(positions.keySet(), FOLLOW_MILLIS);
                followRenewedAt = now;
            }
            batch = events.read(positions, READ_COUNT, BLOCK_MILLIS);
        } catch (BackendUnavailableException e) {
            pause("redis unavailable");
            throw e; // the Repeater logs it and waits before the next round
        }
        if (batch.epoch().isEmpty()) {
            pause("the cache is being rebuilt");
            idle();
            return;
        }
        String now = batch.epoch().get();
        if (epoch != null && !epoch.equals(now)) {
            resetAll(now);
            return;
        }
        epoch = now;
        if (pausedFor != null) {
            pausedFor = null;
            log.info("events flow again");
            byte[] resumed = frames.resumed();
            forEachSubscription(s -> s.subscriber.send(resumed));
        }
        batch.events().forEach(this::deliver);
    }

    /** Waits a read's length, or until a client follows a chat nobody here followed. */
    private void idle() {
        synchronized (wake) {
            try {
                wake.wait(BLOCK_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void deliver(long chatId, List<ChatEvent> chatEvents) {
        Topic topic;
        synchronized (topics) {
            topic = topics.get(chatId);
        }
        if (topic == null) {
            return;
        }
        // why hand over outside the topic's lock: a send may end a connection, whose leaving takes
        // the locks in the other order. A client joining meanwhile reads the cursor moved here and
        // replays these events itself; only this thread hands over live events, so order holds.
        List<Subscription> to;
        List<ChatEvent> fresh = new ArrayList<>(chatEvents.size());
        synchronized (topic) {
            for (ChatEvent e : chatEvents) {
                if (e.id().epoch().equals(topic.cursor.epoch()) && e.id().compareTo(topic.cursor) > 0) {
                    fresh.add(e);
                    topic.cursor = e.id();
                }
            }
            to = List.copyOf(topic.subscriptions);
        }
        for (ChatEvent e : fresh) {
            byte[] frame = frames.event(e);
            for (Subscription s : to) {
                s.live(e.id(), frame);
            }
        }
    }

    /** Redis lost its data and the cache was rebuilt: every client starts again from its page. */
    private void resetAll(String newEpoch) {
        log.info("events: the cache was rebuilt (epoch {} -> {}): every stream is reset", epoch, newEpoch);
        List<Topic> all;
        synchronized (topics) {
            all = new ArrayList<>(topics.values());
        }
        for (Topic t : all) {
            EventId tail = events.tail(newEpoch, t.chatId);
            List<Subscription> to;
            EventId cursor;
            synchronized (t) {
                // a topic a client joined in the new epoch already reads from the right place
                if (!t.cursor.epoch().equals(newEpoch)) {
                    t.cursor = tail;
                }
                cursor = t.cursor;
                to = List.copyOf(t.subscriptions);
            }
            byte[] frame = frames.reset(cursor, "the cache was rebuilt: fetch the page again");
            to.forEach(s -> s.resetUnlessIn(newEpoch, cursor, frame));
        }
        epoch = newEpoch;
        pausedFor = null;
    }

    private void pause(String reason) {
        if (pausedFor == null) {
            pausedFor = reason;
            log.warn("events paused: {}", reason);
            byte[] paused = frames.paused(reason);
            forEachSubscription(s -> s.subscriber.send(paused));
        }
    }

    /** Heartbeats for quiet streams, and the callers' access asked again. */
    private void sweep() {
        try {
            long heartbeat = TimeUnit.MILLISECONDS.toNanos(settings.heartbeatMillis());
            long accessEvery = TimeUnit.MILLISECONDS.toNanos(settings.accessCheckMillis());
            byte[] ping = frames.ping();
            forEachSubscription(s -> {
                if (s.subscriber.idleNanos() >= heartbeat) {
                    s.subscriber.send(ping);
                }
                if (s.accessCheckDue(accessEvery)) {
                    boolean allowed;
                    try {
                        allowed = s.access.stillAllowed();
                    } catch (RuntimeException e) {
                        allowed = true; // why: a store that cannot say is no reason to cut a reader off
                    }
                    if (!allowed) {
                        s.subscriber.close("access revoked");
                    }
                }
            });
        } catch (RuntimeException e) {
            log.warn("events sweep failed: {}", ExceptionText.summary(e));
        }
    }

    private void forEachSubscription(java.util.function.Consumer<Subscription> action) {
        List<Subscription> all = new ArrayList<>();
        synchronized (topics) {
            for (Topic t : topics.values()) {
                synchronized (t) {
                    all.addAll(t.subscriptions);
                }
            }
        }
        all.forEach(action);
    }

    /** Streams open on this instance now. */
    public int openStreams() {
        return open.get();
    }

    /** Ends every stream with this reason (the clients reconnect elsewhere with their last id) and stops the threads. */
    public void close(String reason) {
        closed = true;
        reader.close();
        sweeper.shutdownNow();
        forEachSubscription(s -> s.subscriber.close(reason));
    }

    @Override
    public void close() {
        close("server stopping");
    }
}
