package chatcache.mysql;

import chatcache.message.BackendUnavailableException;
import chatcache.user.Role;
import chatcache.user.User;
import chatcache.user.UserDirectory;
import jakarta.persistence.PersistenceException;
import org.hibernate.SessionFactory;

import java.util.Optional;

/** Users in MySQL, found by the hash of their token. */
public final class MySqlUsers implements UserDirectory {
    private final SessionFactory sessions;

    public MySqlUsers(SessionFactory sessions) {
        this.sessions = sessions;
    }

    @Override
    public User add(String name, Role role, String tokenHash) {
        UserEntity entity = new UserEntity(name, role, tokenHash);
        sessions.inTransaction(session -> session.persist(entity));
        return entity.toUser();
    }

    @Override
    public Optional<User> findByTokenHash(String tokenHash) {
        try {
            return sessions.fromSession(session -> session
                    .createSelectionQuery("from UserEntity where tokenHash = :hash", UserEntity.class)
                    .setParameter("hash", tokenHash)
                    .uniqueResultOptional()
                    .map(UserEntity::toUser));
        } catch (PersistenceException e) {
            throw new BackendUnavailableException("MySQL cannot check the token: " + e.getMessage(), e);
        }
    }
}
