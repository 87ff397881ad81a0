package chatcache.web;

import chatcache.chat.ChatNotFoundException;
import chatcache.chat.ChatService;
import chatcache.core.BackendUnavailableException;
import chatcache.events.EventHub;
import chatcache.core.EventId;
import chatcache.user.Caller;
import io.javalin.http.Context;

import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * {@code GET /chat/{chatId}/events}: the chat's events as Server-Sent Events, for whoever may read
 * the chat, from after {@code Last-Event-ID} (or {@code ?after=}, which a browser's first
 * EventSource connection can set) or from now on. README, "Live events".
 */
final class EventHandlers {
    private final EventHub hub;
    private final ChatService chats;
    private final CallerResolver callers;
    private final SseSettings sse;
    private final Executor writers;

    EventHandlers(EventHub hub, ChatService chats, CallerResolver callers, SseSettings sse, Executor writers) {
        this.hub = hub;
        this.chats = chats;
        this.callers = callers;
        this.sse = sse;
        this.writers = writers;
    }

    void stream(Context ctx) {
        if (hub == null) {
            throw new BackendUnavailableException("this server was started without live events", null);
        }
        long chatId = MessageHandlers.chatId(ctx);
        Optional<EventId> from = from(ctx);
        Caller caller = callers.resolve(ctx);
        chats.readable(chatId, caller);
        // why per user, else per address: the same keys as the rate limits, so made-up tokens bring no places of their own
        String callerKey = caller.user().map(u -> "user:" + u.id()).orElse("addr:" + ctx.req().getRemoteAddr());
        EventHub.Admission admission = hub.admit(callerKey);
        SseConnection connection;
        try {
            connection = SseConnection.open(ctx, sse, writers);
        } catch (RuntimeException e) {
            hub.release(admission);
            throw e;
        }
        CallerResolver.Recheck recheck = callers.recheck(ctx);
        hub.join(admission, chatId, from, connection, () -> {
            Optional<Caller> now = recheck.caller();
            if (now.isEmpty()) {
                return false;
            }
            try {
                chats.readable(chatId, now.get());
                return true;
            } catch (ChatNotFoundException e) {
                return false;
            }
        });
    }

    /** The header (an EventSource's reconnect) wins over the query (its first connection). */
    private static Optional<EventId> from(Context ctx) {
        String header = ctx.header("Last-Event-ID");
        String text = header != null && !header.isBlank() ? header.strip() : ctx.queryParam("after");
        if (text == null || text.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(EventId.parse(text).orElseThrow(() -> ApiException.badRequest(
                "'Last-Event-ID' / 'after' must be an event id this API gave (an 'id:' of an event or a page's 'eventId')")));
    }
}
