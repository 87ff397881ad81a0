package chatcache.redis;

import chatcache.events.ChatEvents;
import chatcache.events.EventRetention;
import chatcache.rediskit.LuaScript;

import java.util.List;

/**
 * The one Lua text that appends an entry to a chat's event stream ({@link ChatEvents}), put in
 * front of every script that changes messages, so that the change and its entry are one atomic
 * step and the rules (when to skip, how to trim) exist once.
 *
 * <p>{@code append_event(stream, complete, rebuilding, chat, max, retention, fields)} appends
 * {@code fields} (a flat name/value list) unless Redis does not hold the chat: no
 * {@code chatcache:complete}, or the chat in {@code chatcache:rebuilding}. why skip then: a
 * rebuild writes every message as if new, and a delete Redis never saw cannot be told; the
 * stream is only a true account of changes while Redis holds the chat (a rebuild ends in a new
 * epoch or a {@code reset} instead). It trims by count (XADD MAXLEN ~) and by age (XTRIM MINID ~,
 * from the server's TIME, the clock the entry ids come from); why two commands: XADD takes one
 * trim strategy. Both with {@code ~}: Redis trims whole nodes, which costs O(1) per append.
 * Every call also moves the chat's version on ({@link ChatVersions}).
 */
final class EventAppend {
    /** The Lua names of the key prefixes and the contract's constants, then the function (schema/lua/append-event.lua). */
    private static final String LUA = KeySpace.luaNames() + constants() + LuaScript.resource("append-event");

    private EventAppend() {
    }

    /** The script {@code schema/lua/<name>.lua}, which may call {@code append_event} and use the EV_* names, after these preludes. */
    static LuaScript script(String name, String... preludes) {
        String[] all = new String[preludes.length + 1];
        all[0] = LUA;
        System.arraycopy(preludes, 0, all, 1, preludes.length);
        return LuaScript.load(name, all);
    }

    /** The two ARGV values {@code append_event} takes as max and retention. */
    static List<String> args(EventRetention retention) {
        return List.of(Integer.toString(retention.maxPerChat()), Long.toString(retention.retentionMillis()));
    }

    /** The guard keys every script passes to {@code append_event}, after its own. */
    static List<String> guardKeys(KeySpace keys) {
        return List.of(keys.complete(), keys.rebuilding());
    }

    private static String constants() {
        StringBuilder lua = new StringBuilder();
        String[][] names = {
                {"EV_TYPE", ChatEvents.TYPE},
                {"EV_CREATED", ChatEvents.CREATED}, {"EV_EDITED", ChatEvents.EDITED},
                {"EV_DELETED", ChatEvents.DELETED}, {"EV_READ", ChatEvents.READ}, {"EV_RESET", ChatEvents.RESET},
                {"EV_ID", ChatEvents.ID}, {"EV_CHAT_ID", ChatEvents.CHAT_ID}, {"EV_USER_ID", ChatEvents.USER_ID},
                {"EV_MESSAGE", ChatEvents.MESSAGE}, {"EV_CREATED_AT", ChatEvents.CREATED_AT},
                {"EV_DATA", ChatEvents.DATA}, {"EV_READ_FLAG", ChatEvents.READ_FLAG}, {"EV_IDS", ChatEvents.IDS},
                {"EV_REASON", ChatEvents.REASON},
        };
        for (String[] n : names) {
            // constants of ours, never user input; checked so that a quote could not break the script
            if (!n[1].matches("[A-Za-z0-9.:_ ]+")) {
                throw new IllegalStateException("not a plain name: " + n[1]);
            }
            lua.append("local ").append(n[0]).append(" = '").append(n[1]).append("'\n");
        }
        return lua.toString();
    }
}
