package chatcache.message;

/**
 * A client's {@code Idempotency-Key}, claimed by one request: {@code token} proves that this
 * request (and no repeat of it) is the one allowed to make the change.
 */
public record IdempotencyClaim(long userId, String key, String token) {
}
