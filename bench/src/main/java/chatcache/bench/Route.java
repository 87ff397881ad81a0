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

    public String label() {
        return name().toLowerCase();
    }
}
