package chatcache.user;

import java.util.List;
import java.util.Optional;

/** Where users live (MySQL, the source of truth); only token hashes are stored or looked up. */
public interface UserDirectory {
    User add(String name, Role role, String tokenHash);

    /** The user holding this token, unless it was revoked. */
    Optional<User> findByTokenHash(String tokenHash);

    /** Up to {@code limit} users with valid tokens whose id is above {@code afterId}, by id. */
    List<UserToken> scan(long afterId, int limit);

    /** The users with this id (at most one) or, when {@code id} is null, this name (several may share one). */
    List<User> find(Long id, String name);

    /**
     * Revokes the user's token; returns the revocation (empty when the user does not exist or
     * was revoked already). Stamps are strictly increasing over all users.
     */
    Optional<Revoked> revoke(long userId, long now);

    /** Up to {@code limit} revocations stamped after {@code after}, oldest first. */
    List<Revoked> revokedAfter(long after, int limit);

    /** The newest revocation's stamp, 0 without any. */
    long lastRevocation();

    /** A revoked token: its hash, and when (the stamp). */
    record Revoked(long userId, String tokenHash, long at) {
    }
}
