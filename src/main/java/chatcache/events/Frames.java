package chatcache.events;

import chatcache.core.EventId;

/** Renders what the hub sends as bytes on the wire (the HTTP side knows the message's JSON and SSE's syntax). */
public interface Frames {
    /** A chat event, with its id. */
    byte[] event(ChatEvent event);

    /** Tells the client to fetch the page again: what it holds can no longer be brought up to date by events. */
    byte[] reset(EventId id, String reason);

    /** Events stopped for a while (Redis unavailable, the cache being rebuilt); no id, so the client's position stays. */
    byte[] paused(String reason);

    /** Events flow again after a pause, from where they stopped. */
    byte[] resumed();

    /** A heartbeat: keeps proxies and the server's idle timeout from closing a quiet stream. */
    byte[] ping();
}
