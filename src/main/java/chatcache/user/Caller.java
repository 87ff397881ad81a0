package chatcache.user;

import java.util.Optional;

/** Who sent a request: a signed-in user, or nobody (anonymous). */
public record Caller(Optional<User> user) {
    public static final Caller ANONYMOUS = new Caller(Optional.empty());

    public static Caller of(User user) {
        return new Caller(Optional.of(user));
    }

    public boolean isAnonymous() {
        return user.isEmpty();
    }

    public boolean hasRole(Role role) {
        return user.map(u -> u.role() == role).orElse(false);
    }
}
