package chatcache.user;

public record User(long id, String name, Role role) {
}
