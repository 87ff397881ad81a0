package chatcache.mysql;

import chatcache.message.BackendUnavailableException;
import chatcache.user.Role;
import chatcache.user.User;
import chatcache.user.UserDirectory;
import chatcache.user.UserToken;
import jakarta.persistence.PersistenceException;
import org.hibernate.SessionFactory;

import java.util.List;
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
    public List<UserToken> scan(long afterId, int limit) {
        try {
            return sessions.fromSession(session -> session
                    .createSelectionQuery("from UserEntity where id > :after order by id", UserEntity.class)
                    .setParameter("after", afterId)
                    .setMaxResults(limit)
                    .getResultList()
                    .stream()
                    .map(UserEntity::toUserToken)
                    .toList());
        } catch (PersistenceException e) {
            throw new BackendUnavailableException("MySQL cannot list users: " + e.getMessage(), e);
        }
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
