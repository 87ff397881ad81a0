package chatcache.chat;

import chatcache.user.Caller;
import chatcache.user.Role;

/**
 * What a chat means for one caller: its visibility and the caller's membership (null: none). The
 * rules of README's table "Chats and members", in one place: who may read, post, manage members.
 */
public record Access(long chatId, Visibility visibility, MemberRole role) {

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
}
