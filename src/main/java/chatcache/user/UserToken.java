package chatcache.user;

/** A user with the SHA-256 of its token: what the token directory holds. */
public record UserToken(User user, String tokenHash) {
}
