package chatcache.web;

import chatcache.chat.Access;
import chatcache.chat.ChatService;
import chatcache.core.BackendUnavailableException;
import chatcache.core.Message;
import chatcache.core.EventId;
import chatcache.events.EventLog;
import chatcache.message.FetchResult;
import chatcache.message.HotPages;
import chatcache.message.MessageService;
import chatcache.message.NewMessage;
import chatcache.message.NotAllowedException;
import chatcache.query.Filter;
import chatcache.query.OrderKey;
import chatcache.query.Position;
import chatcache.query.SearchCriteria;
import chatcache.user.Caller;
import chatcache.user.User;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.ContentType;
import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/** POST /chat/{chatId}/message and POST /chat/{chatId}/messages. */
final class MessageHandlers {
    private static final Set<String> POST_FIELDS = Set.of("message", "data");
    private static final Set<String> FETCH_FIELDS = Set.of("limit", "onlyOwn", "userId", "userIds", "since", "until",
            "read", "text", "unreadByMe", "before", "after", "around", "explain");

    private final MessageService messages;
    private final ChatService chats;
    private final CallerResolver callers;
    private final ObjectMapper mapper;
    private final IdempotentWrites idempotent;

    /** Where a page's reader joins the chat's events ({@code eventId}); null when this app serves none. */
    private final EventLog events;

    /** Pages kept in memory and served again while their chat's version in Redis is unchanged. */
    private final HotPages hotPages;

    MessageHandlers(MessageService messages, ChatService chats, CallerResolver callers, ObjectMapper mapper, EventLog events,
                    HotPages hotPages) {
        this.events = events;
        this.hotPages = hotPages;
        this.idempotent = new IdempotentWrites(messages);
        this.messages = messages;
        this.chats = chats;
        this.callers = callers;
        this.mapper = mapper;
    }

    void post(Context ctx) {
        long chatId = chatId(ctx);
        Caller caller = callers.require(ctx);
        String raw = RequestBody.text(ctx);
        JsonBody body = JsonBody.parse(mapper, raw, false, POST_FIELDS);
        String text = TextRules.validText("message", body.text("message"), NewMessage.MAX_TEXT_CODE_POINTS);
        String data = canonicalData(body.object("data"));
        chats.requirePost(chatId, caller);
        long userId = caller.user().orElseThrow().id();
        idempotent.run(ctx, userId, raw,
                claim -> new IdempotentWrites.Answer(201, MessageJson.message(mapper.getFactory(),
                        messages.post(new NewMessage(chatId, userId, text, data), claim))),
                // the first answer showed the new message unread
                messageId -> new IdempotentWrites.Answer(201, MessageJson.message(mapper.getFactory(),
                        messages.findInStore(chatId, messageId).withRead(false))));
        RequestMetrics.answeredBy(ctx, "mysql"); // a write is answered once MySQL committed it
    }

    void edit(Context ctx) {
        long chatId = chatId(ctx);
        long messageId = positiveId(ctx.pathParam("messageId"), "message id");
        Caller caller = callers.require(ctx);
        String raw = RequestBody.text(ctx);
        JsonBody body = JsonBody.parse(mapper, raw, false, Set.of("message"));
        String text = TextRules.validText("message", body.text("message"), NewMessage.MAX_TEXT_CODE_POINTS);
        // why the poster's right: a member removed from a chat edits nothing there any more
        boolean mayPost = chats.readable(chatId, caller).mayPost(caller);
        User user = caller.user().orElseThrow();
        idempotent.run(ctx, user.id(), raw,
                claim -> new IdempotentWrites.Answer(200, MessageJson.message(mapper.getFactory(),
                        messages.edit(chatId, messageId, text, user, mayPost))),
                posted -> {
                    throw new IllegalStateException("an edit's key names no post");
                });
        RequestMetrics.answeredBy(ctx, "mysql");
    }

    void delete(Context ctx) {
        long chatId = chatId(ctx);
        long messageId = positiveId(ctx.pathParam("messageId"), "message id");
        Caller caller = callers.require(ctx);
        chats.readable(chatId, caller);
        messages.delete(chatId, messageId, caller.user().orElseThrow());
        RequestMetrics.answeredBy(ctx, "mysql");
        ctx.status(204);
    }

    void fetch(Context ctx) {
        long chatId = chatId(ctx);
        Caller caller = callers.resolve(ctx);
        JsonBody body = JsonBody.parse(mapper, RequestBody.text(ctx), true, FETCH_FIELDS);
        Long limit = body.integer("limit", 1, SearchCriteria.MAX_LIMIT);
        Boolean onlyOwn = body.bool("onlyOwn");
        List<Filter> filters = new ArrayList<>();
        authors(body).ifPresent(filters::add);
        timeRange(body).ifPresent(filters::add);
        Optional.ofNullable(body.bool("read")).map(Filter.Read::new).ifPresent(filters::add);
        words(body).ifPresent(filters::add);
        Position position = position(body);
        Boolean unreadByMe = body.bool("unreadByMe");
        if (Boolean.TRUE.equals(unreadByMe) && caller.isAnonymous()) {
            throw ApiException.unauthorized("'unreadByMe' needs 'Authorization: Bearer <token>'");
        }
        Access access = chats.readable(chatId, caller);
        if (Boolean.TRUE.equals(unreadByMe)) {
            if (!access.isMember()) {
                throw new NotAllowedException("only members keep a read marker in a chat ('unreadByMe')");
            }
            filters.add(new Filter.UnreadBy(caller.user().orElseThrow().id(), access.lastRead()));
        }
        SearchCriteria criteria;
        try {
            criteria = SearchCriteria.of(chatId, limit == null ? null : limit.intValue(),
                    Boolean.TRUE.equals(onlyOwn), filters, position, caller.user().map(User::id));
        } catch (SearchCriteria.CallerRequiredException e) {
            throw ApiException.unauthorized(e.getMessage());
        }
        boolean explain = Boolean.TRUE.equals(body.bool("explain"));
        // why only anonymous readers' pages: they mark nothing and show no readByMe (see HotPages)
        OptionalLong version = hotPages.enabled() && caller.isAnonymous() && !explain && HotPages.keepable(criteria)
                ? messages.version(chatId) : OptionalLong.empty();
        if (version.isPresent()) {
            Optional<HotPages.Page> kept = hotPages.get(criteria, version.getAsLong());
            if (kept.isPresent()) {
                messages.servedFromMemory(chatId);
                RequestMetrics.answeredBy(ctx, kept.get().source());
                send(ctx, 200, kept.get().body());
                return;
            }
        }
        // why no read of its own: the page's first Redis call says where events stand (an anchor's
        // lookup or the first slice), and a page MySQL answers reads it just before MySQL does
        FetchResult result = messages.fetch(criteria, caller, explain, () -> eventId(chatId));
        Optional<EventId> eventId = events == null ? Optional.empty()
                : result.eventId().isPresent() ? result.eventId() : eventId(chatId);
        RequestMetrics.answeredBy(ctx, result.source());
        // why the marker as it was before this page: like "read", readByMe shows what the caller had seen
        byte[] page = MessageJson.page(mapper.getFactory(), result,
                m -> access.readByMe(caller, m.userId(), new OrderKey(m.createdAt(), m.id())), eventId);
        // why only pages Redis answered whole: below a window MySQL changes without moving the version
        if (version.isPresent() && result.source().equals("redis")) {
            hotPages.put(criteria, new HotPages.Page(page, result.source(), version.getAsLong()));
        }
        send(ctx, 200, page);
        chats.advance(access, caller, result.messages(), result.source());
    }

    /** why absent rather than an error when Redis cannot say: the page itself may still be answered (from MySQL). */
    private Optional<EventId> eventId(long chatId) {
        if (events == null) {
            return Optional.empty();
        }
        try {
            return events.position(chatId);
        } catch (BackendUnavailableException e) {
            return Optional.empty();
        }
    }

    /** {@code POST /chat/{chatId}/read {"upTo": messageId}}: moves the caller's read marker forwards. */
    void read(Context ctx) {
        long chatId = chatId(ctx);
        Caller caller = callers.require(ctx);
        JsonBody body = JsonBody.parse(mapper, RequestBody.text(ctx), false, Set.of("upTo"));
        Long upTo = body.integer("upTo", 1, Long.MAX_VALUE);
        if (upTo == null) {
            throw ApiException.badRequest("'upTo' is required: the id of the newest message read");
        }
        chats.readable(chatId, caller);
        Message message = messages.findInStore(chatId, upTo);
        OrderKey marker = chats.moveMarker(chatId, new OrderKey(message.createdAt(), message.id()), caller);
        ObjectNode answer = mapper.createObjectNode().put("chatId", chatId).put("lastRead", marker.id());
        ctx.json(answer);
    }

    /** why not ctx.json: it would serialize once more, through a String, what is already JSON. */
    static void send(Context ctx, int status, byte[] json) {
        ctx.status(status).contentType(ContentType.APPLICATION_JSON).result(json);
    }

    /** {@code userId} (one author) or {@code userIds} (1..20 distinct), not both. */
    private static Optional<Filter> authors(JsonBody body) {
        Long userId = body.integer("userId", 1, Long.MAX_VALUE);
        List<Long> userIds = body.integers("userIds", 1, Long.MAX_VALUE);
        if (userId != null && userIds != null) {
            throw ApiException.badRequest("give 'userId' or 'userIds', not both");
        }
        if (userIds != null) {
            if (userIds.isEmpty() || userIds.size() > Filter.Authors.MAX_AUTHORS) {
                throw ApiException.badRequest("'userIds' must hold 1 to " + Filter.Authors.MAX_AUTHORS + " user ids");
            }
            if (new HashSet<>(userIds).size() != userIds.size()) {
                throw ApiException.badRequest("'userIds' must not repeat an id");
            }
            return Optional.of(new Filter.Authors(userIds));
        }
        return Optional.ofNullable(userId).map(Filter.Authors::of);
    }

    /** {@code since} (inclusive) and {@code until} (exclusive): instants with an offset, or epoch milliseconds. */
    private static Optional<Filter> timeRange(JsonBody body) {
        Long since = body.instant("since");
        Long until = body.instant("until");
        if (since == null && until == null) {
            return Optional.empty();
        }
        long from = since == null ? Long.MIN_VALUE : since;
        long to = until == null ? Long.MAX_VALUE : until;
        if (from >= to) {
            throw ApiException.badRequest("'since' must be before 'until'");
        }
        return Optional.of(new Filter.TimeRange(from, to));
    }

    /** {@code text}: 1..5 words ({@link chatcache.query.Words}), every one of which a message must contain. */
    private static Optional<Filter> words(JsonBody body) {
        String text = body.text("text");
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Filter.Text.of(text));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("'text': " + e.getMessage());
        }
    }

    /** At most one of before, after, around; none means the newest messages. */
    private static Position position(JsonBody body) {
        Long before = body.integer("before", 1, Long.MAX_VALUE);
        Long after = body.integer("after", 1, Long.MAX_VALUE);
        Long around = body.integer("around", 1, Long.MAX_VALUE);
        int given = (before != null ? 1 : 0) + (after != null ? 1 : 0) + (around != null ? 1 : 0);
        if (given > 1) {
            throw ApiException.badRequest("give at most one of 'before', 'after', 'around'");
        }
        if (before != null) {
            return new Position.Before(before);
        }
        if (after != null) {
            return new Position.After(after);
        }
        if (around != null) {
            return new Position.Around(around);
        }
        return Position.LATEST;
    }

    static long chatId(Context ctx) {
        return positiveId(ctx.pathParam("chatId"), "chat id");
    }

    static long positiveId(String raw, String what) {
        // digits only: no sign, no spaces, no hex; then it must fit and be positive
        if (raw.isEmpty() || raw.length() > 19 || !raw.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw ApiException.badRequest(what + " must be a positive integer");
        }
        long id;
        try {
            id = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(what + " must be a positive integer");
        }
        if (id <= 0) {
            throw ApiException.badRequest(what + " must be a positive integer");
        }
        return id;
    }

    private String canonicalData(ObjectNode data) {
        if (data == null) {
            return null;
        }
        String text;
        try {
            text = mapper.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("'data' cannot be stored as JSON");
        }
        TextRules.validData(data);
        TextRules.requireWellFormed("data", text);
        if (text.getBytes(StandardCharsets.UTF_8).length > NewMessage.MAX_DATA_BYTES) {
            throw ApiException.badRequest("'data' is larger than " + NewMessage.MAX_DATA_BYTES + " bytes as JSON");
        }
        return text;
    }
}
