package chatcache.user;

import java.util.List;
import java.util.Optional;

/** Where users live (MySQL, the source of truth); only token hashes are stored or looked up. */
public interface UserDirectory {
    User add(String name, Role role, String tokenHash);

    Optional<User> findByTokenHash(String tokenHash);

    /** Up to {@code limit} users whose id is above {@code afterId}, by id. */
    List<UserToken> scan(long afterId, int limit);
}
