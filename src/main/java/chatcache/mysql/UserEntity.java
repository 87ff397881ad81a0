package chatcache.mysql;

import chatcache.user.Role;
import chatcache.user.User;
import chatcache.user.UserToken;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

@Entity
@Table(name = "users")
public class UserEntity {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "name", nullable = false, length = 100)
    private String name;

    @Enumerated(EnumType.STRING)
    @Column(name = "role", nullable = false, length = 8)
    private Role role;

    @Column(name = "token_hash", nullable = false, length = 64)
    private String tokenHash;

    @Column(name = "revoked_at")
    private Long revokedAt;

    protected UserEntity() {
    }

    UserEntity(String name, Role role, String tokenHash) {
        this.name = name;
        this.role = role;
        this.tokenHash = tokenHash;
    }

    User toUser() {
        return new User(id, name, role);
    }

    UserToken toUserToken() {
        return new UserToken(toUser(), tokenHash);
    }
}
