package chatcache.user;

import java.util.List;

/**
 * Keeps the token replica in step with MySQL's users: a full copy when the replica is missing
 * (a cold or flushed Redis), then, each round, the users added since. Users are normally copied
 * by whoever adds them; this catches those added while Redis was unreachable.
 */
public final class TokenSync {
    private static final int BATCH = 1_000;
    /**
     * why re-read some already copied: ids are handed out before commit, so a user with a lower
     * id may commit after one with a higher id was copied; re-copying is idempotent.
     */
    private static final long OVERLAP = 100;

    private final UserDirectory users;
    private final TokenReplica replica;

    public TokenSync(UserDirectory users, TokenReplica replica) {
        this.users = users;
        this.replica = replica;
    }

    /**
     * One round; returns how many users it copied. why the revocations read before copying are
     * applied again after it: a user read before its token was revoked, and written after the
     * revocation removed it from Redis, would otherwise bring the token back for good.
     */
    public int step() {
        long revokedBefore = users.lastRevocation();
        Long upTo = replica.copiedUpTo();
        Copied copied;
        if (upTo == null) {
            String ticket = replica.startFullCopy();
            copied = copyAfter(0);
            replica.finishFullCopy(ticket, copied.lastId);
        } else {
            copied = copyAfter(Math.max(0, upTo - OVERLAP));
            replica.advance(copied.lastId);
        }
        List<UserDirectory.Revoked> late;
        long after = revokedBefore;
        while (!(late = users.revokedAfter(after, BATCH)).isEmpty()) {
            after = late.get(late.size() - 1).at();
            replica.revoke(late, after);
        }
        replica.revoke(List.of(), revokedBefore); // the mark, for a copy made before it existed
        return copied.count;
    }

    private record Copied(long lastId, int count) {
    }

    private Copied copyAfter(long after) {
        int count = 0;
        List<UserToken> batch;
        while (!(batch = users.scan(after, BATCH)).isEmpty()) {
            replica.putAll(batch);
            after = batch.get(batch.size() - 1).user().id();
            count += batch.size();
        }
        return new Copied(after, count);
    }
}
