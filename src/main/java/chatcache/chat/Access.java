package chatcache.chat;

import chatcache.query.OrderKey;
import chatcache.user.Caller;
import chatcache.user.Role;

/**
 * What a chat means for one caller: its visibility, the caller's membership (null: none) and read
 * marker (null: none yet, or no member). The rules of README's table "Chats and members", in one
 * place: who may read, post, manage members.
 */
public record Access(long chatId, Visibility visibility, MemberRole role, OrderKey lastRead) {

    public boolean isMember() {
        return role != null;
    }

    /** API clients read every chat; everyone reads a public one; members read a private one. */
    public boolean mayRead(Caller caller) {
        return caller.hasRole(Role.API) || visibility == Visibility.PUBLIC || isMember();
    }

    /** API clients and members post; nobody else, in a public chat either. */
    public boolean mayPost(Caller caller) {
        return caller.hasRole(Role.API) || (!caller.isAnonymous() && isMember());
    }

    /** API clients and the owner add and remove members. */
    public boolean mayManage(Caller caller) {
        return caller.hasRole(Role.API) || (!caller.isAnonymous() && role == MemberRole.OWNER);
    }

    /** Members and API clients list the members. */
    public boolean mayListMembers(Caller caller) {
        return caller.hasRole(Role.API) || (!caller.isAnonymous() && isMember());
    }

    /**
     * Whether the caller has read this message: written by them, or at or before their marker.
     * Only members keep a marker; for others there is no answer (null).
     */
    public Boolean readByMe(Caller caller, long authorId, OrderKey place) {
        if (!isMember() || caller.isAnonymous()) {
            return null;
        }
        return authorId == caller.user().get().id() || (lastRead != null && place.compareTo(lastRead) <= 0);
    }
}
