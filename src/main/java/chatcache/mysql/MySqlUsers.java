package chatcache.mysql;

import chatcache.user.Role;
import chatcache.user.User;
import chatcache.user.UserDirectory;
import chatcache.user.UserToken;
import org.hibernate.SessionFactory;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static chatcache.mysql.StoreFailure.unavailableIfFails;

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
        return unavailableIfFails("MySQL cannot list users", () -> sessions.fromSession(session -> session
                    .createSelectionQuery("from UserEntity where id > :after and revokedAt is null order by id", UserEntity.class)
                    .setParameter("after", afterId)
                    .setMaxResults(limit)
                    .getResultList()
                    .stream()
                    .map(UserEntity::toUserToken)
                    .toList()));
    }

    @Override
    public Optional<User> findByTokenHash(String tokenHash) {
        return unavailableIfFails("MySQL cannot check the token", () -> sessions.fromSession(session -> session
                    .createSelectionQuery("from UserEntity where tokenHash = :hash and revokedAt is null", UserEntity.class)
                    .setParameter("hash", tokenHash)
                    .uniqueResultOptional()
                    .map(UserEntity::toUser)));
    }

    @Override
    public List<User> find(Long id, String name) {
        return unavailableIfFails("MySQL cannot find the user", () -> sessions.fromSession(session -> (id != null
                    ? session.createSelectionQuery("from UserEntity where id = :key order by id", UserEntity.class).setParameter("key", id)
                    : session.createSelectionQuery("from UserEntity where name = :key order by id", UserEntity.class).setParameter("key", name))
                    .getResultList().stream().map(UserEntity::toUser).toList()));
    }

    @Override
    public Optional<Revoked> revoke(long userId, long now) {
        return unavailableIfFails("MySQL cannot revoke the token", () -> sessions.fromSession(session -> session.doReturningWork(c -> {
                // why a named lock held until after the commit: stamps stay strictly increasing under
                // concurrent revocations (a MAX() read FOR UPDATE is answered from the index's end and may lock nothing)
                try (PreparedStatement q = c.prepareStatement("SELECT GET_LOCK('chatcache.revoke', 10)");
                     ResultSet rs = q.executeQuery()) {
                    if (!rs.next() || rs.getInt(1) != 1) {
                        throw new java.sql.SQLException("another revocation held the lock for more than 10 s");
                    }
                }
                boolean autoCommit = c.getAutoCommit();
                try {
                    c.setAutoCommit(false);
                    Optional<Revoked> revoked = revokeLocked(c, userId, now);
                    c.commit();
                    return revoked;
                } catch (java.sql.SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                } finally {
                    c.setAutoCommit(autoCommit);
                    try (PreparedStatement q = c.prepareStatement("SELECT RELEASE_LOCK('chatcache.revoke')")) {
                        q.executeQuery().close();
                    }
                }
            })));
    }

    private static Optional<Revoked> revokeLocked(java.sql.Connection c, long userId, long now) throws java.sql.SQLException {
                long last;
                try (PreparedStatement q = c.prepareStatement("SELECT COALESCE(MAX(revoked_at), 0) FROM users");
                     ResultSet rs = q.executeQuery()) {
                    rs.next();
                    last = rs.getLong(1);
                }
                long at = Math.max(now, last + 1);
                try (PreparedStatement u = c.prepareStatement("UPDATE users SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
                    u.setLong(1, at);
                    u.setLong(2, userId);
                    if (u.executeUpdate() == 0) {
                        return Optional.<Revoked>empty();
                    }
                }
                try (PreparedStatement q = c.prepareStatement("SELECT token_hash FROM users WHERE id = ?")) {
                    q.setLong(1, userId);
                    try (ResultSet rs = q.executeQuery()) {
                        rs.next();
                        return Optional.of(new Revoked(userId, rs.getString(1), at));
                    }
                }
    }

    @Override
    public List<Revoked> revokedAfter(long after, int limit) {
        return unavailableIfFails("MySQL cannot list revoked tokens", () -> sessions.fromSession(session -> session.doReturningWork(c -> {
                List<Revoked> found = new ArrayList<>();
                try (PreparedStatement q = c.prepareStatement("SELECT id, token_hash, revoked_at FROM users"
                        + " WHERE revoked_at > ? ORDER BY revoked_at LIMIT ?")) {
                    q.setLong(1, after);
                    q.setInt(2, limit);
                    try (ResultSet rs = q.executeQuery()) {
                        while (rs.next()) {
                            found.add(new Revoked(rs.getLong(1), rs.getString(2), rs.getLong(3)));
                        }
                    }
                }
                return found;
            })));
    }

    @Override
    public long lastRevocation() {
        return unavailableIfFails("MySQL cannot read revocations", () -> sessions.fromSession(session -> session.doReturningWork(c -> {
                try (PreparedStatement q = c.prepareStatement("SELECT COALESCE(MAX(revoked_at), 0) FROM users");
                     ResultSet rs = q.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            })));
    }
}
