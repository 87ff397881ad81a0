package chatcache.user;

import chatcache.core.BackendUnavailableException;
import chatcache.logging.ExceptionText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns a bearer token into a caller without loading MySQL: a token that cannot have been issued
 * is refused unseen; known tokens are remembered for a minute, or until a revocation is seen
 * ({@link RevocationWatch}); the rest are looked up in the
 * token replica (Redis), which answers for made-up tokens too. Only while the replica cannot
 * answer (Redis down, or its copy not complete yet) is MySQL asked, and then its misses are
 * remembered for a few seconds as well.
 */
public final class Authenticator {
    private static final Logger log = LoggerFactory.getLogger(Authenticator.class);
    private static final long REMEMBER_MILLIS = 60_000;
    private static final long REMEMBER_MISS_MILLIS = 5_000;
    private static final int MAX_REMEMBERED = 100_000;
    /**
     * why: while Redis cannot answer, every token not remembered costs MySQL a query, and misses
     * are remembered per token, which does not help against made-up ones; beyond this rate a
     * token not seen lately is answered 503 (try again) instead.
     */
    static final int MYSQL_LOOKUPS_PER_SECOND = 50;

    private final UserDirectory users;
    private final TokenReplica replica;
    private final Clock clock;
    private final Map<String, Remembered> remembered = new ConcurrentHashMap<>();
    private final Map<String, Long> misses = new ConcurrentHashMap<>();
    /** Incremented each time remembered tokens are forgotten (see {@link #remember}). */
    private final java.util.concurrent.atomic.AtomicLong forgotten = new java.util.concurrent.atomic.AtomicLong();
    private double lookupBudget = MYSQL_LOOKUPS_PER_SECOND;
    private long budgetRefilledAt = Long.MIN_VALUE;

    private record Remembered(User user, long until) {
    }

    public Authenticator(UserDirectory users, TokenReplica replica, Clock clock) {
        this.users = users;
        this.replica = replica;
        this.clock = clock;
    }

    /**
     * Creates a user and returns its token, which is shown once and never stored. The user is
     * copied to the replica at once; if Redis is unreachable, {@link TokenSync} copies it later.
     */
    public Issued issue(String name, Role role) {
        String token = Tokens.newToken();
        String hash = Tokens.hash(token);
        User user = users.add(name, role, hash);
        try {
            replica.putAll(List.of(new UserToken(user, hash)));
        } catch (BackendUnavailableException e) {
            log.warn("user {} is stored; its token reaches Redis once Redis is reachable: {}", user.id(), ExceptionText.summary(e));
        }
        return new Issued(user, token);
    }

    public record Issued(User user, String token) {
    }

    /**
     * Revokes the token of the user with this id (or, without one, of the one user with this
     * name) in MySQL, then removes it from the replica and moves its revocation mark, which every
     * server watches ({@link RevocationWatch}). If Redis is unreachable, {@link TokenSync}
     * applies the revocation once it is; servers meanwhile watch MySQL's mark.
     */
    public User revoke(Long id, String name) {
        List<User> found = users.find(id, name);
        if (found.isEmpty()) {
            throw new IllegalArgumentException("no user " + (id != null ? "with id " + id : "named '" + name + "'"));
        }
        if (found.size() > 1) {
            throw new IllegalArgumentException(found.size() + " users are named '" + name + "' (ids "
                    + found.stream().map(u -> Long.toString(u.id())).collect(java.util.stream.Collectors.joining(", "))
                    + "): give --id");
        }
        User user = found.get(0);
        UserDirectory.Revoked revoked = users.revoke(user.id(), clock.millis())
                .orElseThrow(() -> new IllegalArgumentException("the token of user " + user.id() + " is revoked already"));
        try {
            replica.revoke(List.of(revoked), revoked.at());
        } catch (BackendUnavailableException e) {
            log.warn("user {}'s token is revoked in MySQL; Redis's copy follows once Redis is reachable: {}", user.id(), ExceptionText.summary(e));
        }
        forgetRemembered();
        return user;
    }

    /** Forgets every remembered token: each is looked up again (a revocation was seen, see {@link RevocationWatch}). */
    public void forgetRemembered() {
        forgotten.incrementAndGet();
        remembered.clear();
    }

    /** The user holding this token, if any. */
    public Optional<User> authenticate(String token) {
        if (!Tokens.wellFormed(token)) {
            return Optional.empty();
        }
        String hash = Tokens.hash(token);
        long now = clock.millis();
        Remembered hit = remembered.get(hash);
        if (hit != null && hit.until > now) {
            return Optional.of(hit.user);
        }
        long since = forgotten.get();
        TokenReplica.Lookup copy;
        try {
            copy = replica.find(hash);
        } catch (BackendUnavailableException e) {
            copy = TokenReplica.Lookup.UNSURE;
        }
        if (copy.complete()) {
            return Optional.ofNullable(copy.user()).map(u -> remember(hash, u, now, since));
        }
        Long missUntil = misses.get(hash);
        if (missUntil != null && missUntil > now) {
            return Optional.empty();
        }
        if (!takeLookup(now)) {
            throw new BackendUnavailableException("too many tokens to check in MySQL while Redis cannot answer", null);
        }
        Optional<User> user = users.findByTokenHash(hash);
        if (user.isPresent()) {
            remember(hash, user.get(), now, since);
        } else {
            if (misses.size() >= MAX_REMEMBERED) {
                misses.clear();
            }
            misses.put(hash, now + REMEMBER_MISS_MILLIS);
        }
        return user;
    }

    /** One MySQL token lookup from a budget refilled at {@link #MYSQL_LOOKUPS_PER_SECOND}. */
    private synchronized boolean takeLookup(long now) {
        if (now > budgetRefilledAt && budgetRefilledAt != Long.MIN_VALUE) {
            lookupBudget = Math.min(MYSQL_LOOKUPS_PER_SECOND,
                    lookupBudget + (now - budgetRefilledAt) * MYSQL_LOOKUPS_PER_SECOND / 1000.0);
        }
        budgetRefilledAt = now; // a clock set back starts counting from there
        if (lookupBudget < 1) {
            return false;
        }
        lookupBudget -= 1;
        return true;
    }

    /**
     * Remembers a user looked up after {@code since} was read; not if tokens were forgotten
     * meanwhile (the lookup may have read the replica just before a revocation removed it).
     */
    private User remember(String hash, User user, long now, long since) {
        if (remembered.size() >= MAX_REMEMBERED) {
            remembered.clear();
        }
        remembered.put(hash, new Remembered(user, now + REMEMBER_MILLIS));
        if (forgotten.get() != since) {
            remembered.remove(hash);
        }
        return user;
    }
}
