package chatcache.user;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns a bearer token into a caller. Known tokens are remembered for a short while so that the
 * Redis read path does not query MySQL for every request.
 */
public final class Authenticator {
    private static final long REMEMBER_MILLIS = 60_000;
    private static final int MAX_REMEMBERED = 100_000;

    private final UserDirectory users;
    private final Clock clock;
    private final Map<String, Remembered> remembered = new ConcurrentHashMap<>();

    private record Remembered(User user, long until) {
    }

    public Authenticator(UserDirectory users, Clock clock) {
        this.users = users;
        this.clock = clock;
    }

    /** Creates a user and returns its token, which is shown once and never stored. */
    public Issued issue(String name, Role role) {
        String token = Tokens.newToken();
        return new Issued(users.add(name, role, Tokens.hash(token)), token);
    }

    public record Issued(User user, String token) {
    }

    /** The user holding this token, if any. */
    public Optional<User> authenticate(String token) {
        String hash = Tokens.hash(token);
        long now = clock.millis();
        Remembered hit = remembered.get(hash);
        if (hit != null && hit.until > now) {
            return Optional.of(hit.user);
        }
        Optional<User> user = users.findByTokenHash(hash);
        user.ifPresent(u -> {
            if (remembered.size() >= MAX_REMEMBERED) {
                remembered.clear();
            }
            remembered.put(hash, new Remembered(u, now + REMEMBER_MILLIS));
        });
        return user;
    }
}
