package chatcache.bench;

import chatcache.user.Role;

/** A read path of POST /chat/{id}/messages, chosen by the caller's role; {@code source} is what the API reports. */
public enum Route {
    /** A USER caller: answered from Redis (FT.SEARCH). */
    REDIS(Role.USER, "redis"),
    /** An API caller: answered from MySQL. */
    MYSQL(Role.API, "mysql");

    private final Role role;
    private final String source;

    Route(Role role, String source) {
        this.role = role;
        this.source = source;
    }

    public Role role() {
        return role;
    }

    public String source() {
        return source;
    }

    /**
     * Whether a page's {@code source} is one this route may give: the API's is MySQL's alone; a
     * USER's is Redis's, or, for a page that reaches below the window Redis holds of the chat,
     * Redis's part joined to MySQL's, or MySQL's alone (issue #23). The pages themselves are
     * compared with the other route's.
     */
    public boolean gives(String pageSource) {
        return this == MYSQL ? source.equals(pageSource)
                : pageSource.equals("redis") || pageSource.equals("redis+mysql") || pageSource.equals("mysql");
    }

    public String label() {
        return name().toLowerCase();
    }
}
