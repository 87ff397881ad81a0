package chatcache.events;

import chatcache.core.EventId;
import java.util.ArrayList;
import java.util.List;

/**
 * One client following one chat. Events reach it two ways: replayed from the stream when it joins
 * (on the request's thread) and live from the hub's reader; while the replay runs, live events
 * wait here, so the client gets each event once and in order. Every event at or below the last
 * one sent is skipped: the two ways may overlap by a few events.
 */
final class Subscription {
    final long chatId;
    final String callerKey;
    final Subscriber subscriber;
    final AccessCheck access;
    private final int maxPending;
    private EventId lastSent;
    private boolean replaying = true;
    private final List<Pending> pending = new ArrayList<>();
    private long lastAccessCheck = System.nanoTime();

    /** A live event that came while the replay ran. */
    private record Pending(EventId id, byte[] frame) {
    }

    Subscription(long chatId, String callerKey, Subscriber subscriber, AccessCheck access, EventId lastSent, int maxPending) {
        this.chatId = chatId;
        this.callerKey = callerKey;
        this.subscriber = subscriber;
        this.access = access;
        this.lastSent = lastSent;
        this.maxPending = maxPending;
    }

    /** A live event from the reader. */
    synchronized void live(EventId id, byte[] frame) {
        if (replaying) {
            if (pending.size() >= maxPending) {
                subscriber.close("too slow: fell " + pending.size() + " events behind while catching up");
                return;
            }
            pending.add(new Pending(id, frame));
            return;
        }
        forward(id, frame);
    }

    /** An event of the replay. */
    synchronized void replayed(EventId id, byte[] frame) {
        forward(id, frame);
    }

    /** Replaces everything before with a reset: the client fetches the page again and goes on from {@code id}. */
    synchronized void reset(EventId id, byte[] frame) {
        subscriber.send(frame);
        lastSent = id;
    }

    /** A reset for a client whose position is of an older epoch (one that joined in the new epoch needs none). */
    synchronized void resetUnlessIn(String epoch, EventId id, byte[] frame) {
        if (lastSent == null || !lastSent.epoch().equals(epoch)) {
            reset(id, frame);
        }
    }

    /** The replay is over: live events that came meanwhile follow it. */
    synchronized void replayDone() {
        replaying = false;
        for (Pending p : pending) {
            forward(p.id(), p.frame());
        }
        pending.clear();
    }

    private void forward(EventId id, byte[] frame) {
        if (lastSent != null && lastSent.epoch().equals(id.epoch()) && id.compareTo(lastSent) <= 0) {
            return;
        }
        if (subscriber.send(frame)) {
            lastSent = id;
        }
    }

    /** Whether it is time to ask again if the caller may read (called by the sweeper only). */
    boolean accessCheckDue(long everyNanos) {
        long now = System.nanoTime();
        if (now - lastAccessCheck < everyNanos) {
            return false;
        }
        lastAccessCheck = now;
        return true;
    }
}
