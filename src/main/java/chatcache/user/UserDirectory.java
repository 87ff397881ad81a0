package chatcache.user;

import java.util.Optional;

/** Where users live; only token hashes are stored or looked up. */
public interface UserDirectory {
    User add(String name, Role role, String tokenHash);

    Optional<User> findByTokenHash(String tokenHash);
}
