package chatcache.web;

import chatcache.chat.Chat;
import chatcache.chat.ChatService;
import chatcache.chat.Member;
import chatcache.chat.Unread;
import chatcache.chat.Visibility;
import chatcache.user.Caller;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;

import java.util.List;
import java.util.Set;

/** POST /chats, GET /chat/{chatId}, and the members of a chat. */
final class ChatHandlers {
    private static final Set<String> CREATE_FIELDS = Set.of("visibility", "title");

    private final ChatService chats;
    private final CallerResolver callers;
    private final ObjectMapper mapper;

    ChatHandlers(ChatService chats, CallerResolver callers, ObjectMapper mapper) {
        this.chats = chats;
        this.callers = callers;
        this.mapper = mapper;
    }

    void create(Context ctx) {
        Caller caller = callers.require(ctx);
        JsonBody body = JsonBody.parse(mapper, RequestBody.text(ctx), false, CREATE_FIELDS);
        String visibilityText = body.text("visibility");
        if (visibilityText == null) {
            throw ApiException.badRequest("'visibility' is required: \"public\" or \"private\"");
        }
        Visibility visibility = Visibility.fromWire(visibilityText)
                .orElseThrow(() -> ApiException.badRequest("'visibility' must be \"public\" or \"private\""));
        String title = TextRules.validText("title", body.text("title"), Chat.MAX_TITLE_CODE_POINTS);
        Chat chat = chats.create(title, visibility, caller.user().orElseThrow());
        ctx.status(201).json(json(chat));
    }

    void get(Context ctx) {
        long chatId = MessageHandlers.chatId(ctx);
        Caller caller = callers.resolve(ctx);
        ctx.json(json(chats.get(chatId, caller)));
    }

    void members(Context ctx) {
        long chatId = MessageHandlers.chatId(ctx);
        Caller caller = callers.resolve(ctx);
        ObjectNode body = mapper.createObjectNode();
        ArrayNode list = body.putArray("members");
        for (Member m : chats.members(chatId, caller)) {
            list.addObject().put("userId", m.userId()).put("role", m.role().wire());
        }
        ctx.json(body);
    }

    void addMember(Context ctx) {
        long chatId = MessageHandlers.chatId(ctx);
        long userId = MessageHandlers.positiveId(ctx.pathParam("userId"), "user id");
        Caller caller = callers.require(ctx);
        chats.addMember(chatId, userId, caller);
        ctx.status(204);
    }

    void removeMember(Context ctx) {
        long chatId = MessageHandlers.chatId(ctx);
        long userId = MessageHandlers.positiveId(ctx.pathParam("userId"), "user id");
        Caller caller = callers.require(ctx);
        chats.removeMember(chatId, userId, caller);
        ctx.status(204);
    }

    /** Most chats {@code ?chatIds=} may name. */
    static final int MAX_UNREAD_CHATS = 100;

    /** {@code GET /me/unread[?chatIds=1,2]}: the caller's unread count and marker in each chat they are a member of. */
    void unread(Context ctx) {
        Caller caller = callers.require(ctx);
        List<String> given = ctx.queryParams("chatIds");
        java.util.Set<Long> only = new java.util.TreeSet<>();
        if (given.size() > 1) {
            throw ApiException.badRequest("give 'chatIds' once, as a comma-separated list");
        }
        if (given.size() == 1) {
            String[] parts = given.get(0).split(",", -1);
            if (parts.length > MAX_UNREAD_CHATS) {
                throw ApiException.badRequest("'chatIds' names at most " + MAX_UNREAD_CHATS + " chats");
            }
            for (String part : parts) {
                only.add(MessageHandlers.positiveId(part, "each of 'chatIds'"));
            }
        }
        for (String name : ctx.queryParamMap().keySet()) {
            if (!name.equals("chatIds")) {
                throw ApiException.badRequest("unknown parameter '" + name + "'");
            }
        }
        ObjectNode body = mapper.createObjectNode();
        ArrayNode list = body.putArray("chats");
        for (Unread u : chats.unread(caller, only)) {
            ObjectNode item = list.addObject().put("chatId", u.chatId()).put("unread", u.unread());
            if (u.lastRead() == null) {
                item.putNull("lastRead");
            } else {
                item.put("lastRead", u.lastRead());
            }
        }
        ctx.json(body);
    }

    private ObjectNode json(Chat chat) {
        ObjectNode node = mapper.createObjectNode();
        node.put("id", chat.id());
        node.put("title", chat.title());
        node.put("visibility", chat.visibility().wire());
        if (chat.ownerId() == null) {
            node.putNull("ownerId");
        } else {
            node.put("ownerId", chat.ownerId());
        }
        node.put("members", chat.members().size());
        return node;
    }
}
