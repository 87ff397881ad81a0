package chatcache.user;

import chatcache.core.BackendUnavailableException;

import java.util.List;

/**
 * What makes a revoked token refused within a second on every server: each server looks, every
 * {@link #PERIOD_MILLIS} ms, at the newest revocation stamp in MySQL and at the mark of the
 * revocations Redis's token replica has applied. A replica behind MySQL (`users revoke` could
 * not reach Redis, or Redis came back with older data) gets the missing revocations at once; a
 * mark that moved makes the server forget the tokens it remembered
 * ({@link Authenticator#forgetRemembered}), so that each is checked again where it is now
 * refused. One indexed MAX() in MySQL and one GET in Redis per look.
 */
public final class RevocationWatch {
    public static final long PERIOD_MILLIS = 200;
    private static final int BATCH = 1_000;

    private final UserDirectory users;
    private final TokenReplica replica;
    private final Authenticator authenticator;
    private long seen = Long.MIN_VALUE;

    public RevocationWatch(UserDirectory users, TokenReplica replica, Authenticator authenticator) {
        this.users = users;
        this.replica = replica;
        this.authenticator = authenticator;
    }

    /** One look; never throws (a store that cannot answer is left out of it). */
    public synchronized void step() {
        Long inMysql = quietly(users::lastRevocation);
        Long inRedis = quietly(replica::revocationMark);
        if (inMysql == null && inRedis == null) {
            authenticator.forgetRemembered(); // neither store can say: trust nothing remembered
            seen = Long.MIN_VALUE;
            return;
        }
        boolean redisWasBehind = inMysql != null && inRedis != null && inRedis < inMysql;
        if (redisWasBehind) {
            long behind = Math.max(0, inRedis);
            inRedis = quietly(() -> applyAfter(behind));
        }
        long now = Math.max(inMysql == null ? Long.MIN_VALUE : inMysql, inRedis == null ? Long.MIN_VALUE : inRedis);
        // why also when Redis was behind: a token it still held may have been accepted and remembered meanwhile
        if (now != seen || redisWasBehind) {
            authenticator.forgetRemembered();
            seen = now;
        }
    }

    /** Removes from the replica the tokens revoked after {@code mark}; returns the new mark. */
    private long applyAfter(long mark) {
        List<UserDirectory.Revoked> batch;
        while (!(batch = users.revokedAfter(mark, BATCH)).isEmpty()) {
            mark = batch.get(batch.size() - 1).at();
            replica.revoke(batch, mark);
        }
        return mark;
    }

    private static Long quietly(java.util.function.LongSupplier read) {
        try {
            return read.getAsLong();
        } catch (BackendUnavailableException e) {
            return null;
        }
    }
}
